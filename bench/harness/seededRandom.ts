/**
 * A seeded pseudo-random generator (mulberry32), so that every benchmark run screens the same travellers
 * and every fixture build writes the same set. Hand-written because it is a few lines and must never
 * change output between library versions (a changed sequence would change published figures).
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
