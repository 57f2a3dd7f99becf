/**
 * Reading a machine-readable zone (ICAO 9303: TD3 passports, TD1/TD2 identity cards) with the `mrz`
 * package, into the traveller fields the matcher uses. Every check digit must hold; a failure names
 * the field and the digit. A state code the package does not know (the specimen state UTO, for one)
 * is not an error here: the code is carried through as written.
 *
 * Names: `<` fillers separate words (SURNAME<<GIVEN<NAMES); a name longer than its field (39
 * characters in a passport, 31 in a TD2 card, 30 in a TD1 card) is cut short at the field's end, so a
 * field filled to its last character marks the traveller's name as possibly truncated and the matcher
 * compares its last word with the start of the listed name.
 */
import { parse as parseMrzLines } from 'mrz';
import { BadInput } from '../shared/errors.js';
import type { Traveller } from '../matching/index.js';

export interface MrzTraveller extends Traveller {
  format: string;
  expirationDate?: string;
}

const IGNORED_ERRORS = new Set(['issuingState', 'nationality']);

/** YYMMDD to ISO; two-digit years resolve to the most recent century that does not put birth in the future. */
export function mrzBirthDate(yymmdd: string, today = new Date()): string | undefined {
  if (!/^\d{6}$/.test(yymmdd)) return undefined;
  const yy = Number(yymmdd.slice(0, 2));
  const thisYY = today.getUTCFullYear() % 100;
  const century = yy > thisYY ? 1900 : 2000;
  return `${century + yy}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

function mrzExpiryDate(yymmdd: string): string | undefined {
  if (!/^\d{6}$/.test(yymmdd)) return undefined;
  return `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

export function splitMrz(text: string): string[] {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trim().toUpperCase())
    .filter((l) => l.length > 0);
}

/** The name field of each format: [line, start, end). */
const NAME_FIELD: Record<string, [number, number, number]> = { TD1: [2, 0, 30], TD2: [0, 5, 36], TD3: [0, 5, 44] };

/** Whether the name field is filled to its last character, so the name may have been cut short. */
export function nameFieldFull(format: string, lines: string[]): boolean {
  const field = NAME_FIELD[format];
  if (!field) return false;
  const [line, start, end] = field;
  const text = lines[line]?.slice(start, end) ?? '';
  return text.length === end - start && text[text.length - 1] !== '<';
}

export function parseMrz(text: string): MrzTraveller {
  const lines = splitMrz(text);
  let result;
  try {
    result = parseMrzLines(lines);
  } catch (err) {
    const lengths = lines.map((l) => l.length).join(', ');
    throw new BadInput(
      `mrz: not a machine-readable zone (${lines.length} line(s) of ${lengths || 0} characters; expected 2×44 (TD3 passport), 2×36 (TD2) or 3×30 (TD1)): ${(err as Error).message}`,
      'mrz',
    );
  }
  const failures = result.details.filter((d) => !d.valid && !IGNORED_ERRORS.has(String(d.field)));
  if (failures.length > 0) {
    const first = failures[0]!;
    const where = first.end - first.start === 1 ? `character ${first.end}` : `characters ${first.start + 1}–${first.end}`;
    throw new BadInput(`mrz: ${first.label} — ${first.error ?? 'invalid'} (line ${first.line + 1}, ${where})`, `mrz.${first.field}`);
  }
  const f = result.fields;
  const raw = (field: string) => {
    const d = result.details.find((x) => x.field === field);
    const range = d?.ranges?.[0];
    const text = range ? lines[range.line]?.slice(range.start, range.end).replace(/</g, '') : undefined;
    return text || undefined;
  };
  const traveller: MrzTraveller = { format: result.format };
  if (f.lastName) traveller.surname = f.lastName;
  if (f.firstName) traveller.givenNames = f.firstName;
  if ((f.lastName || f.firstName) && nameFieldFull(result.format, lines)) traveller.nameTruncated = true;
  const dob = f.birthDate ? mrzBirthDate(f.birthDate) : undefined;
  if (dob) traveller.dateOfBirth = dob;
  if (f.documentNumber) traveller.documentNumber = f.documentNumber;
  const issuer = f.issuingState ?? raw('issuingState');
  const nationality = f.nationality ?? raw('nationality');
  if (issuer) traveller.documentCountry = issuer;
  if (nationality) traveller.nationality = nationality;
  if (f.sex === 'male') traveller.sex = 'M';
  else if (f.sex === 'female') traveller.sex = 'F';
  else if (f.sex) traveller.sex = 'X';
  const expiry = f.expirationDate ? mrzExpiryDate(f.expirationDate) : undefined;
  if (expiry) traveller.expirationDate = expiry;
  return traveller;
}
