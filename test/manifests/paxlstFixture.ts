/** PAXLST messages for tests and benchmarks, written from a JSON manifest the way carriers' systems write them. */
import type { ManifestRequest } from '../../src/api/manifests.js';

const release = (s: string) => s.replace(/([?'+:])/g, '?$1');

function yymmddhhmm(iso: string): string {
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
}

export function paxlstOf(m: Omit<ManifestRequest, 'carrier'> & { carrier?: string }, options: { una?: boolean; lineBreaks?: boolean } = {}): string {
  const body: string[] = [
    'UNH+MSG001+PAXLST:D:05B:UN:IATA',
    'BGM+745',
    'NAD+MS+++OPS DESK',
    `TDT+20+${release(m.service)}+++${m.carrier ? release(m.carrier) : ''}`,
    `LOC+125+${release(m.from)}`,
    `DTM+189:${yymmddhhmm(m.departureAt)}:201`,
    `LOC+87+${release(m.to)}`,
  ];
  for (const t of m.travellers) {
    body.push(`NAD+FL+++${release(t.surname)}:${t.givenNames.split(' ').map(release).join(':')}`);
    if (t.sex) body.push(`ATT+2++${t.sex}`);
    body.push(`DTM+329:${t.dateOfBirth.replace(/-/g, '')}:102`);
    body.push(`NAT+2+${t.nationality}`);
    body.push(`DOC+P:110:111+${t.documentNumber}`);
    body.push(`LOC+91+${t.documentCountry ?? t.nationality}`);
  }
  body.push(`UNT+${body.length + 1}+MSG001`);
  const all = ['UNB+UNOA:4+CARRIER:ZZ+BORDER:ZZ+261207:1200+1', ...body, 'UNZ+1+1'];
  const sep = options.lineBreaks === false ? '' : '\n';
  return (options.una === false ? '' : "UNA:+.? '") + all.map((s) => s + "'").join(sep) + sep;
}
