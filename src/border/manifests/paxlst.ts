/**
 * A UN/EDIFACT PAXLST passenger list, read into the same manifest a carrier may send as JSON
 * (api/manifests.ts). The subset carriers send for advance passenger information (the UNECE PAXLST
 * message structure, as in the API implementation guides of border agencies):
 *
 *   UNA  service string advice (optional)          UNB / UNZ  interchange envelope (optional)
 *   UNH  message header: must name PAXLST           UNT        trailer: segment count and reference
 *   BGM  beginning of message (745 passenger list, 250 crew list)
 *   NAD+MS  the reporting party (ignored)           TDT+20     transport: service number, carrier
 *   LOC+125 / DTM+189  departure place and time     LOC+87 / DTM+232  arrival place and time
 *   per traveller: NAD+FL (crew FM, in transit DDT/DDU) surname:given:given, ATT+2 sex, DTM+329 date of
 *   birth, NAT+2 nationality, DOC document type and number, DTM+36 expiry, LOC+91 issuing country,
 *   LOC+178/179 embarkation/debarkation (ignored)
 *
 * Other segments inside the message (COM, RFF, CNT, FTX, GEI, EMP, MEA, QTY, UNG/UNE) are read past.
 * Times without a zone (DTM formats 201 YYMMDDHHMM and 203 CCYYMMDDHHMM) are taken as UTC; a date of
 * birth in YYMMDD (format 101, or no format) belongs to the latest century that puts it in the past.
 * Every problem names its segment and position (edifact.ts), and the result is validated again by the
 * JSON schema, so both ways in meet the same limits.
 */
import { MAX_MANIFEST_TRAVELLERS } from '../../api/manifests.js';
import { component, EdifactError, type Segment, tokenize } from './edifact.js';

/** What a PAXLST yields: the JSON manifest's fields, the carrier left out when the message names none. */
export interface PaxlstManifest {
  carrier?: string;
  service: string;
  departureAt: string;
  from: string;
  to: string;
  travellers: PaxlstTraveller[];
}

export interface PaxlstTraveller {
  surname: string;
  givenNames: string;
  dateOfBirth: string;
  sex?: 'M' | 'F' | 'X';
  documentNumber: string;
  nationality: string;
  documentCountry?: string;
}

const TRAVELLER_QUALIFIERS = new Set(['FL', 'FM', 'DDT', 'DDU', 'COT']);
const IGNORED = new Set(['UNG', 'UNE', 'COM', 'CTA', 'RFF', 'CNT', 'FTX', 'GEI', 'EMP', 'MEA', 'QTY', 'GIS', 'CPI', 'TSR', 'SEQ', 'FTI', 'ERP', 'EQD']);

interface Draft {
  nad: Segment;
  surname: string;
  givenNames: string;
  dateOfBirth?: string;
  sex?: 'M' | 'F' | 'X';
  documentNumber?: string;
  nationality?: string;
  documentCountry?: string;
}

/** An EDIFACT date/time as an ISO instant (UTC) or date, per its format code. */
export function edifactDate(segment: Segment, value: string, format: string, what: string, now = new Date()): string {
  const digits = (n: number) => new RegExp(`^\\d{${n}}$`).test(value);
  const bad = (expected: string) => new EdifactError(segment, `${what} "${value}" is not ${expected} (DTM format ${format || 'not given'})`);
  const yearOf = (yy: string, past: boolean) => {
    const y = 2000 + Number(yy);
    // A birth year is in the past; a departure is this century.
    return past && y > now.getUTCFullYear() ? y - 100 : y;
  };
  // A real calendar date: 1999-02-30 does not survive the round trip through Date.
  const real = (iso: string) => {
    const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, iso.length - (iso.length === 10 ? 0 : 4)) !== iso.slice(0, iso.length - (iso.length === 10 ? 0 : 4))) throw bad('a real date and time');
    return iso;
  };
  let iso: string;
  if (format === '201' || (format === '' && digits(10))) {
    if (!digits(10)) throw bad('YYMMDDHHMM');
    iso = `${yearOf(value.slice(0, 2), false)}-${value.slice(2, 4)}-${value.slice(4, 6)}T${value.slice(6, 8)}:${value.slice(8, 10)}:00Z`;
  } else if (format === '203') {
    if (!digits(12)) throw bad('CCYYMMDDHHMM');
    iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(8, 10)}:${value.slice(10, 12)}:00Z`;
  } else if (format === '102') {
    if (!digits(8)) throw bad('CCYYMMDD');
    return real(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`);
  } else if (format === '101' || format === '') {
    if (!digits(6)) throw bad('YYMMDD');
    return real(`${yearOf(value.slice(0, 2), true)}-${value.slice(2, 4)}-${value.slice(4, 6)}`);
  } else throw new EdifactError(segment, `DTM format ${format} is not one a PAXLST uses here (101, 102, 201, 203)`);
  return real(iso);
}

function finish(d: Draft): PaxlstTraveller {
  if (!d.dateOfBirth) throw new EdifactError(d.nad, `traveller ${d.surname} has no date of birth (DTM+329 after the NAD)`);
  if (!d.documentNumber) throw new EdifactError(d.nad, `traveller ${d.surname} has no travel document (DOC after the NAD)`);
  const nationality = d.nationality ?? d.documentCountry;
  if (!nationality) throw new EdifactError(d.nad, `traveller ${d.surname} has neither a nationality (NAT+2) nor a document issuing country (LOC+91)`);
  return {
    surname: d.surname,
    givenNames: d.givenNames,
    dateOfBirth: d.dateOfBirth,
    ...(d.sex ? { sex: d.sex } : {}),
    documentNumber: d.documentNumber,
    nationality,
    ...(d.documentCountry && d.documentCountry !== nationality ? { documentCountry: d.documentCountry } : {}),
  };
}

export function parsePaxlst(text: string, now = new Date()): PaxlstManifest {
  const segments = tokenize(text);
  if (segments.length === 0) throw new EdifactError(null, 'the message holds no segments');
  let i = 0;
  if (segments[i]!.tag === 'UNB') i++;
  while (segments[i]?.tag === 'UNG') i++;
  const unh = segments[i];
  if (!unh || unh.tag !== 'UNH') throw new EdifactError(unh ?? null, `expected the message header UNH here${unh ? `, found ${unh.tag}` : ''}`);
  if (component(unh, 1, 0) !== 'PAXLST') throw new EdifactError(unh, `the message type is "${component(unh, 1, 0)}", not PAXLST`);
  const reference = component(unh, 0);
  const result: Partial<PaxlstManifest> & { travellers: PaxlstTraveller[] } = { travellers: [] };
  let draft: Draft | null = null;
  let lastLoc: string | null = null;
  let sawBgm = false;
  let unt: Segment | null = null;
  for (i = i + 1; i < segments.length; i++) {
    const s = segments[i]!;
    const qualifier = component(s, 0);
    if (s.tag === 'UNT') {
      unt = s;
      break;
    }
    if (s.tag === 'UNH' || s.tag === 'UNB' || s.tag === 'UNZ') throw new EdifactError(s, `${s.tag} inside a message: the message that began at segment ${unh.position} has no UNT trailer before it`);
    if (!sawBgm && s.tag !== 'BGM') throw new EdifactError(s, 'expected BGM (beginning of message) right after UNH');
    switch (s.tag) {
      case 'BGM':
        if (sawBgm) throw new EdifactError(s, 'a second BGM in one message');
        if (!['745', '250', '266'].includes(qualifier)) throw new EdifactError(s, `document code "${qualifier}" is not a passenger list (745) or crew list (250)`);
        sawBgm = true;
        break;
      case 'NAD':
        if (draft) result.travellers.push(finish(draft));
        draft = null;
        if (TRAVELLER_QUALIFIERS.has(qualifier)) {
          const surname = component(s, 3, 0);
          const given = (s.elements[3] ?? []).slice(1).map((g) => g.trim()).filter(Boolean).join(' ');
          if (!surname) throw new EdifactError(s, 'the traveller has no surname (NAD element 4, first component)');
          if (!given) throw new EdifactError(s, `traveller ${surname} has no given names (NAD element 4, components 2 onwards)`);
          if (result.travellers.length >= MAX_MANIFEST_TRAVELLERS) throw new EdifactError(s, `more than ${MAX_MANIFEST_TRAVELLERS} travellers in one manifest; split it`);
          draft = { nad: s, surname, givenNames: given };
        } else if (qualifier !== 'MS' && qualifier !== 'BA') throw new EdifactError(s, `party qualifier "${qualifier}" is not a reporting party (MS) or a traveller (FL, FM, DDT, DDU)`);
        break;
      case 'TDT': {
        if (qualifier !== '20') throw new EdifactError(s, `transport stage "${qualifier}" is not 20 (main carriage)`);
        const service = component(s, 1);
        if (!service) throw new EdifactError(s, 'the transport has no service (flight, train or coach) number (TDT element 2)');
        result.service = service;
        const carrier = component(s, 4);
        if (carrier) result.carrier = carrier;
        break;
      }
      case 'LOC': {
        const place = component(s, 1);
        if (!place) throw new EdifactError(s, `LOC+${qualifier} names no place (element 2)`);
        if (draft) {
          if (qualifier === '91') draft.documentCountry = place;
        } else if (qualifier === '125') result.from = place;
        else if (qualifier === '87') result.to = place;
        lastLoc = qualifier;
        break;
      }
      case 'DTM': {
        const value = component(s, 0, 1);
        const format = component(s, 0, 2);
        if (!value) throw new EdifactError(s, `DTM+${qualifier} has no date (element 1, component 2)`);
        if (draft) {
          if (qualifier === '329') draft.dateOfBirth = edifactDate(s, value, format, 'the date of birth', now);
        } else if (qualifier === '189' && lastLoc === '125') result.departureAt = edifactDate(s, value, format, 'the departure time', now);
        else if (qualifier === '189' && result.departureAt === undefined) result.departureAt = edifactDate(s, value, format, 'the departure time', now);
        break;
      }
      case 'ATT':
        if (!draft) throw new EdifactError(s, 'ATT (an attribute of a traveller) before any traveller NAD');
        if (qualifier === '2') {
          const sex = component(s, 2);
          if (sex === 'M' || sex === 'F' || sex === 'X') draft.sex = sex;
          else if (sex !== 'U' && sex !== '') throw new EdifactError(s, `sex "${sex}" is not M, F, X or U`);
        }
        break;
      case 'NAT':
        if (!draft) throw new EdifactError(s, 'NAT (a nationality) before any traveller NAD');
        if (!component(s, 1)) throw new EdifactError(s, 'NAT names no nationality (element 2)');
        draft.nationality = component(s, 1);
        break;
      case 'DOC':
        if (!draft) throw new EdifactError(s, 'DOC (a travel document) before any traveller NAD');
        if (!component(s, 1)) throw new EdifactError(s, 'DOC has no document number (element 2)');
        // The first document given is the one travelled on; a visa (V) after it does not replace it.
        draft.documentNumber ??= component(s, 1);
        break;
      default:
        if (!IGNORED.has(s.tag)) throw new EdifactError(s, `${s.tag} is not a segment of a PAXLST message`);
    }
  }
  if (draft) result.travellers.push(finish(draft));
  if (!unt) throw new EdifactError(segments[segments.length - 1]!, 'the message has no UNT trailer');
  const counted = unt.position - unh.position + 1;
  const declared = component(unt, 0);
  if (declared !== String(counted)) throw new EdifactError(unt, `declares ${declared || 'no'} segments, but the message from UNH to UNT has ${counted}`);
  if (component(unt, 1) !== reference) throw new EdifactError(unt, `message reference "${component(unt, 1)}" does not match UNH's "${reference}"`);
  const after = segments.slice(unt.position);
  for (const s of after) {
    if (s.tag === 'UNH') throw new EdifactError(s, 'a second message in one interchange: send one PAXLST message per manifest');
    if (s.tag !== 'UNZ' && s.tag !== 'UNE') throw new EdifactError(s, `${s.tag} after the message trailer UNT`);
  }
  if (!result.service) throw new EdifactError(unh, 'the message names no service: TDT+20+NUMBER is missing');
  if (!result.departureAt) throw new EdifactError(unh, 'the message has no departure time: DTM+189 after LOC+125 is missing');
  if (!result.from) throw new EdifactError(unh, 'the message has no place of departure: LOC+125 is missing');
  if (!result.to) throw new EdifactError(unh, 'the message has no place of arrival: LOC+87 is missing');
  if (result.travellers.length === 0) throw new EdifactError(unh, 'the message lists no traveller (NAD+FL)');
  return result as PaxlstManifest;
}
