/**
 * Canonical skeletons: what is left of a Latin name word once the noise that transliteration adds is
 * taken out, so that YURY, IURII, JURIJ and IOURI all read URI, and SHCHERBAKOV, SZCZERBAKOW and
 * SCHTSCHERBAKOW all read SERBAKOV. Pure functions on folded words (A–Z only, see `foldLatin`).
 *
 * The rules, in order (each is a fact about how Latin alphabets write Russian sounds):
 *  1. one sound, many spellings: Щ (SHCH, SZCZ, SCHTSCH, CHTCH) and Ш (SH, SZ, SCH) → S; Ч and Ц
 *     (CH, TCH, TSCH, CZ, TS, TZ, TC) → C; Ж (ZH) → Z; Х (KH) → H; PH → F; X → KS; Q, CK → K; W → V;
 *     H after B, D, G, T and an initial RH is silent (GH, TH: TAGHIYEV, GETHIN, RHUN), and so is the
 *     German lengthening H between a vowel and a consonant (FUHRICH, DAHLIN);
 *  2. French spellings: GU before E/I is G (SERGUEI), OU is U (IOURI);
 *  3. the semivowel: Y and J are I; an I before another vowel is the iotation of that vowel (IA/YA/JA,
 *     IU/YU/JU, IE/YE/JE, IO/YO/JO) and goes;
 *  4. English and French spelling: a final E after a consonant is mute (ELKINE, DENISE); EE and EA
 *     are I, OO is U (DEAN = Дин, GOODWIN = Гудвин);
 *  5. doubled letters are single (MIFFLIN, ALEKSEEV, DANIIL, -SKII/-SKIY/-SKY → -SKI).
 */

import { Memo } from './memo.js';

interface Rule {
  from: RegExp;
  to: string;
}

const rules = (pairs: [string, string][]): Rule[] => pairs.map(([from, to]) => ({ from: new RegExp(from, 'g'), to }));

const RULES: readonly Rule[] = rules([
  // 1. Щ before Ш and Ч, so its letters are not taken apart.
  ['SCHTSCH|SHTSCH|STSCH|SHCH|SZCZ|CHTCH|SHTCH', 'S'],
  ['TSCH|TCH|TSH|CZ|TS|TZ|TC', 'C'],
  ['SCH|SH|SZ', 'S'],
  ['CH', 'C'],
  ['ZH', 'Z'],
  ['KH', 'H'],
  ['PH', 'F'],
  ['([BDGT])H|^(R)H', '$1$2'],
  ['([AEIOUY])H(?=[^AEIOUY])', '$1'],
  ['X', 'KS'],
  ['CK|Q', 'K'],
  ['W', 'V'],
  // 2.
  ['GU(?=[EI])', 'G'],
  ['OU', 'U'],
  // 3.
  ['[YJ]', 'I'],
  ['I+(?=[AEOU])', ''],
  // 4.
  ['([^AEIOU])E$', '$1'],
  ['EE|EA', 'I'],
  ['OO', 'U'],
  // 5.
  ['([A-Z])\\1+', '$1'],
]);

const cache = new Memo<string>(200_000);

/** The skeleton of one folded word (A–Z). Never empty for a non-empty word. */
export function skeleton(word: string): string {
  return cache.get(word, () => {
    let s = word;
    for (const r of RULES) s = s.replace(r.from, r.to);
    return s.length === 0 ? word.slice(0, 1) : s;
  });
}
