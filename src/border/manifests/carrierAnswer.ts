/**
 * What a carrier is told about one traveller, from two decisions on the same evidence: as of now and
 * as of departure. Pure and table-tested (test/border/manifests.test.ts):
 *
 *   now \ departure   clear             refer             hit
 *   clear             board             check-at-border   check-at-border   (a restriction starts before departure)
 *   refer             check-at-border   check-at-border   check-at-border
 *   hit               check-at-border   check-at-border   do-not-board      (hit now, lifted or ended by departure: uncertain)
 *
 * Only an answer both moments agree on is firm; anything else sends the traveller to an officer,
 * who sees the reasons. And what a carrier sees of a manifest: a whitelist of the fields it sent and
 * the answer — never a restriction, basis, office, kind, score or person id (least data: a carrier
 * learns only whether to board someone).
 */
import type { CarrierAnswer, CarrierTraveller, ManifestAnswer, ManifestChange } from '../../api/manifests.js';
import type { Decision } from '../decision.js';
import type { StoredManifest } from './manifestStore.js';

export function carrierAnswer(now: Decision, atDeparture: Decision): CarrierAnswer {
  if (now === 'clear' && atDeparture === 'clear') return 'board';
  if (now === 'hit' && atDeparture === 'hit') return 'do-not-board';
  return 'check-at-border';
}

export function carrierView(m: StoredManifest, now: Date, changes?: ManifestChange[]): ManifestAnswer {
  const travellers: CarrierTraveller[] = m.travellers.map((t) => ({
    position: t.position,
    surname: t.traveller.surname,
    givenNames: t.traveller.givenNames,
    dateOfBirth: t.traveller.dateOfBirth,
    documentNumber: t.traveller.documentNumber,
    nationality: t.traveller.nationality,
    answer: t.answer,
  }));
  return {
    manifestId: m.manifestId,
    carrier: m.carrier,
    service: m.service,
    departureAt: m.departureAt,
    from: m.from,
    to: m.to,
    version: m.version,
    live: Date.parse(m.departureAt) > now.getTime(),
    travellers,
    ...(changes ? { changes: changes.map(({ version, position, from, to, at }) => ({ version, position, from, to, at })) } : {}),
  };
}

/** The body a carrier's webhook receives for changed answers: the manifest's identity, its new version and the changes. */
export function changeNotice(m: Pick<StoredManifest, 'manifestId' | 'carrier' | 'service' | 'departureAt'>, version: number, changes: ManifestChange[]): string {
  return JSON.stringify({
    event: 'manifest.answers-changed',
    manifestId: m.manifestId,
    carrier: m.carrier,
    service: m.service,
    departureAt: m.departureAt,
    version,
    changes: changes.map(({ version: v, position, from, to, at }) => ({ version: v, position, from, to, at })),
  });
}
