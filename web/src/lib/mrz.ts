/**
 * The officer's MRZ field: what a scanner or a paste gives (CR or LF between lines, stray spaces,
 * lower case), tidied into the lines erx reads, and whether those lines already form a whole zone —
 * so Enter after the last line screens, while Enter after an earlier line starts the next one.
 */
export const FORMATS = [
  { name: 'passport (TD3)', lines: 2, length: 44 },
  { name: 'card (TD2)', lines: 2, length: 36 },
  { name: 'ID card (TD1)', lines: 3, length: 30 },
] as const;

export function mrzLines(text: string): string[] {
  return text
    .toUpperCase()
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/\s+/g, ''))
    .filter((l) => l.length > 0);
}

export function mrzComplete(text: string): boolean {
  const lines = mrzLines(text);
  return FORMATS.some((f) => lines.length === f.lines && lines.every((l) => l.length === f.length));
}

/** The expected length of each line, judged from the first line's length (44 passport, 36, 30). */
export function expectedLength(lines: string[]): number {
  const first = lines[0]?.length ?? 0;
  return first > 40 ? 44 : first > 33 ? 36 : first > 0 && first <= 30 ? 30 : 44;
}

/** Where a server error points: "(line 2, characters 10–10)" or "(line 2, character 10)", 1-based. */
export function errorSpan(message: string): { line: number; start: number; end: number } | null {
  const m = /line (\d+), characters? (\d+)(?:[–-](\d+))?/.exec(message);
  if (!m) return null;
  const start = Number(m[2]);
  return { line: Number(m[1]), start, end: m[3] ? Number(m[3]) : start };
}
