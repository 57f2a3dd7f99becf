/**
 * Given names that are one name in another language (Микола = Николай = Мікалай = Mikołaj), from the
 * list in ./givenNameEquivalents.ts, and given names of the other sex (Александра is not Александр).
 *
 * Every member of the list is read like any name word (every scheme of its language, ./readings.ts), and
 * a word belongs to a line when it is a member as written or when its spelling is one of a member's
 * readings, compared on a key that folds only what spells one sound several ways (SH/SZ/SCH, CH/CZ/TS,
 * ZH, KH, W = V, Y = J = I, doubled letters): so MYKOLA, MIKOLA, MIKALAI, MIKOLAJ, NIKOLAI and NIKOLAY
 * all find their line, and so does a register's Микола. The key is finer than the matcher's skeleton on
 * purpose: the skeleton drops the iotation (Яна and Анна are one skeleton, ANA), and a line must not
 * take in a neighbouring name. For the same reason three readings are not used here: a Polish Ł lost in an
 * ASCII fold (Данила would read DANIA, near Диана), the French J for Ж (Жанна would read JANNA, which
 * is Яна) and GOST 7.79 with its diacritics folded (Яна would read ANA, which is Анна). Two words are equivalent when they share a line. The matcher then scores the given name
 * EQUIVALENT_SIMILARITY, below identity (1), with its own explanation.
 *
 * Different names: when both words are members and share no line, their similarity is capped at
 * DIFFERENT_NAME_CAP however alike they are written (MARTA and Мария, VIACHESLAV and Вацлав), and at
 * OTHER_SEX_CAP when every line of one is a man's name and every line of the other a woman's (ALEKSANDRA
 * and Александр differ by one letter).
 */
import { GIVEN_NAME_EQUIVALENTS, LANGUAGES, type GivenNameLanguage } from './givenNameEquivalents.js';
import { foldLatin, hasCyrillic } from './latin.js';
import { Memo } from './memo.js';
import { latinReadings } from './readings.js';

/** The given-name similarity of two equivalent forms: a hit with a surname and date that agree, never identity. */
export const EQUIVALENT_SIMILARITY = 0.9;
/** The given-name similarity of a man's and a woman's name at most: with it the name score stays below a refer. */
export const OTHER_SEX_CAP = 0.5;
/**
 * The given-name similarity of two different names of the list at most (Мария and MARTA, Вацлав and
 * VIACHESLAV): with it the name score stays below a hit, a sister or brother born the same day is at
 * most a refer.
 */
export const DIFFERENT_NAME_CAP = 0.75;

export interface Member {
  /** The form as the list writes it (Микола, Mikołaj). */
  text: string;
  language: GivenNameLanguage;
  line: number;
  sex: 'M' | 'F';
}

export interface Equivalence {
  /** The member the traveller's word was read as, and the listed word's member. */
  query: Member;
  listed: Member;
}

/** Readings too loose to say that a word is a form of a name (see above). */
const LOOSE_READINGS = new Set(['Polish, Ł lost', 'MVD 310 FR', 'GOST 7.79']);

/** The comparison key of a folded Latin spelling: one letter for each sound written several ways. */
export function spellingKey(latin: string): string {
  return latin
    .replace(/SCHTSCH|SHTSCH|STSCH|SHCH|SZCZ|CHTCH|SHTCH/g, 'S')
    .replace(/TSCH|TCH|TSH|CZ|TS|TZ|TC/g, 'C')
    .replace(/SCH|SH|SZ/g, 'S')
    .replace(/CH/g, 'C')
    .replace(/ZH/g, 'Z')
    .replace(/KH/g, 'H')
    .replace(/W/g, 'V')
    .replace(/OU/g, 'U')
    .replace(/[YJ]/g, 'I')
    .replace(/([A-Z])\1+/g, '$1');
}

/** The keys a word is looked up with: a Cyrillic word's readings, a Latin word as written. */
function keysOf(word: string): string[] {
  if (!hasCyrillic(word)) return [spellingKey(foldLatin(word).replace(/ /g, ''))];
  // Most schemes agree on most letters: each distinct spelling is keyed once.
  const spellings = new Set<string>();
  for (const r of latinReadings(word)) if (r.latin && !LOOSE_READINGS.has(r.scheme)) spellings.add(r.latin);
  return [...new Set([...spellings].map(spellingKey))];
}

interface Index {
  byKey: Map<string, Member[]>;
  byText: Map<string, Member[]>;
  lines: number;
}

const normal = (word: string) => word.toLowerCase().replace(/ё/g, 'е').replace(/[ʼ’]/g, "'");

function add(map: Map<string, Member[]>, key: string, m: Member): void {
  const list = map.get(key) ?? [];
  if (!list.some((x) => x.line === m.line && x.text === m.text)) list.push(m);
  map.set(key, list);
}

/** Parses the list; throws on a malformed line (a data error must not pass silently). */
export function parseEquivalents(lines: readonly string[]): Member[][] {
  return lines.map((line, i) => {
    const cells = line.split('|').map((c) => c.trim());
    const sex = cells[0];
    if (cells.length !== 1 + LANGUAGES.length || (sex !== 'M' && sex !== 'F')) {
      throw new Error(`given-name equivalents, line ${i + 1}: expected "M|F | ru | uk | be | pl", got "${line}"`);
    }
    const members: Member[] = [];
    LANGUAGES.forEach((language, j) => {
      for (const text of cells[j + 1]!.split(',').map((t) => t.trim())) if (text && text !== '-') members.push({ text, language, line: i, sex });
    });
    return members;
  });
}

let index: Index | undefined;

/** Built on first use: every member's readings (a few thousand transliterations, a few milliseconds). */
function theIndex(): Index {
  if (index) return index;
  const byKey = new Map<string, Member[]>();
  const byText = new Map<string, Member[]>();
  const lines = parseEquivalents(GIVEN_NAME_EQUIVALENTS);
  for (const members of lines) {
    for (const m of members) {
      add(byText, normal(m.text), m);
      for (const k of keysOf(m.text)) add(byKey, k, m);
    }
  }
  index = { byKey, byText, lines: lines.length };
  return index;
}

const memberMemo = new Memo<readonly Member[]>(20_000);

/**
 * The list's members a word may be: a listed Cyrillic word as written (Микола), else any word by the
 * keys of its spellings (a traveller's MYKOLA, a register's name written another way).
 */
export function membersOf(word: string): readonly Member[] {
  return memberMemo.get(word, () => {
    const idx = theIndex();
    const exact = idx.byText.get(normal(word));
    if (exact && hasCyrillic(word)) return exact;
    const out: Member[] = [];
    for (const k of keysOf(word)) {
      for (const m of idx.byKey.get(k) ?? []) if (!out.includes(m)) out.push(m);
    }
    for (const m of exact ?? []) if (!out.includes(m)) out.push(m);
    return out;
  });
}

/** Every form in the lines a word belongs to (for MYKOLA: Николай, Микола, Мікалай, Mikołaj). */
export function equivalentForms(word: string): readonly string[] {
  return formsMemo.get(word, () => {
    const lines = new Set(membersOf(word).map((m) => m.line));
    if (lines.size === 0) return [];
    const out: string[] = [];
    for (const list of theIndex().byText.values()) for (const m of list) if (lines.has(m.line) && !out.includes(m.text)) out.push(m.text);
    return out;
  });
}
const formsMemo = new Memo<readonly string[]>(20_000);

/** Whether two words share a line, with the members that say so (another language preferred). */
export function equivalence(query: string, listed: string): Equivalence | undefined {
  const qs = membersOf(query);
  if (qs.length === 0) return undefined;
  const ls = membersOf(listed);
  let found: Equivalence | undefined;
  for (const l of ls) {
    for (const q of qs) {
      if (q.line !== l.line) continue;
      if (q.language !== l.language) return { query: q, listed: l };
      found ??= { query: q, listed: l };
    }
  }
  return found;
}

/** Whether both words are in the list and in no common line: two names, however alike they are written (Мария, MARTA). */
export function differentNames(query: string, listed: string): boolean {
  const qs = membersOf(query);
  if (qs.length === 0) return false;
  const ls = membersOf(listed);
  return ls.length > 0 && !qs.some((a) => ls.some((b) => a.line === b.line));
}

/** Whether both words are in the list, in no common line, one only as a man's name and the other only as a woman's. */
export function otherSex(query: string, listed: string): boolean {
  const qs = membersOf(query);
  if (qs.length === 0) return false;
  const ls = membersOf(listed);
  if (ls.length === 0) return false;
  const sexOf = (ms: readonly Member[]) => (ms.every((m) => m.sex === 'M') ? 'M' : ms.every((m) => m.sex === 'F') ? 'F' : undefined);
  const q = sexOf(qs);
  const l = sexOf(ls);
  return q !== undefined && l !== undefined && q !== l && !qs.some((a) => ls.some((b) => a.line === b.line));
}

/** Lines of the list, and keys two lines share (for tests and docs: a shared key makes two lines equivalent for a word). */
export function listStatistics(): { lines: number; members: number; sharedKeys: [string, string[]][] } {
  const idx = theIndex();
  let members = 0;
  for (const list of idx.byText.values()) members += list.length;
  const shared: [string, string[]][] = [];
  for (const [key, list] of idx.byKey) {
    const lines = new Set(list.map((m) => m.line));
    if (lines.size > 1) shared.push([key, [...new Set(list.map((m) => m.text))]]);
  }
  return { lines: idx.lines, members, sharedKeys: shared };
}
