/**
 * Manifest rows as both backends store them, and back: one mapping, so a manifest reads alike from
 * SQLite and PostgreSQL (PostgreSQL's jsonb columns arrive parsed, SQLite's TEXT as JSON strings).
 */
import type { CarrierAnswer, ManifestChange, ManifestTraveller } from '../api/manifests.js';
import type { LiveManifest, StoredManifest, StoredTraveller } from '../border/manifests/manifestStore.js';
import type { Decision } from '../border/decision.js';

export interface ManifestRow {
  manifest_id: string;
  carrier: string;
  service: string;
  departure_at: string;
  from_place: string;
  to_place: string;
  received_at: string;
  version: number;
  recheck_at: string | null;
  /** PostgreSQL's bigint arrives as text. */
  data_seq: number | string;
  standing: string;
}

export interface TravellerRow {
  manifest_id: string;
  position: number;
  traveller: string | ManifestTraveller;
  answer: string;
  screening_id?: string;
  decision?: string;
  decision_at_departure?: string;
  reasons?: string | unknown[];
}

export interface ChangeRow {
  version: number;
  position: number;
  from_answer: string;
  to_answer: string;
  at: string;
}

const json = <T>(v: string | T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function travellerOf(r: TravellerRow): StoredTraveller {
  return {
    position: r.position,
    traveller: json<ManifestTraveller>(r.traveller),
    answer: r.answer as CarrierAnswer,
    screeningId: r.screening_id!,
    decision: r.decision as Decision,
    decisionAtDeparture: r.decision_at_departure as Decision,
    reasons: json<unknown[]>(r.reasons!),
  };
}

export function manifestOf(r: ManifestRow, travellers: TravellerRow[]): StoredManifest {
  return {
    manifestId: r.manifest_id,
    carrier: r.carrier,
    service: r.service,
    departureAt: r.departure_at,
    from: r.from_place,
    to: r.to_place,
    receivedAt: r.received_at,
    version: r.version,
    travellers: travellers.map(travellerOf),
  };
}

export function liveOf(r: ManifestRow, travellers: TravellerRow[]): LiveManifest {
  return {
    manifestId: r.manifest_id,
    carrier: r.carrier,
    service: r.service,
    departureAt: r.departure_at,
    version: r.version,
    recheckAt: r.recheck_at,
    dataSeq: Number(r.data_seq),
    standing: r.standing as LiveManifest['standing'],
    travellers: travellers.map((t) => ({ position: t.position, traveller: json<ManifestTraveller>(t.traveller), answer: t.answer as CarrierAnswer })),
  };
}

export function changeOf(r: ChangeRow): ManifestChange {
  return { version: r.version, position: r.position, from: r.from_answer as CarrierAnswer, to: r.to_answer as CarrierAnswer, at: r.at };
}
