/**
 * Writing a TD3 (passport) machine-readable zone for a synthetic traveller, so the demo and the tests
 * can show a real MRZ screening. Check digits follow ICAO 9303 part 3 (weights 7, 3, 1).
 */
import { icaoLatin } from '../matching/index.js';

export function checkDigit(field: string): string {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    const value = c === '<' ? 0 : c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55;
    sum += value * weights[i % 3]!;
  }
  return String(sum % 10);
}

const pad = (s: string, n: number) => (s + '<'.repeat(n)).slice(0, n);

export interface Td3Fields {
  surname: string;
  givenNames: string;
  documentNumber: string;
  country: string;
  /** ISO date YYYY-MM-DD */
  dateOfBirth: string;
  sex: 'M' | 'F' | 'X';
  /** ISO date YYYY-MM-DD */
  expires: string;
}

export function td3(f: Td3Fields): string {
  const name = (s: string) => icaoLatin(s).replace(/ /g, '<');
  const line1 = pad(`P<${f.country}${name(f.surname)}<<${name(f.givenNames)}`, 44);
  const doc = pad(f.documentNumber, 9);
  const dob = f.dateOfBirth.replace(/-/g, '').slice(2);
  const exp = f.expires.replace(/-/g, '').slice(2);
  const personal = pad('', 14);
  const part = `${doc}${checkDigit(doc)}${f.country}${dob}${checkDigit(dob)}${f.sex === 'X' ? '<' : f.sex}${exp}${checkDigit(exp)}${personal}${checkDigit(personal)}`;
  const composite = checkDigit(`${doc}${checkDigit(doc)}${dob}${checkDigit(dob)}${exp}${checkDigit(exp)}${personal}${checkDigit(personal)}`);
  return `${line1}\n${part}${composite}`;
}
