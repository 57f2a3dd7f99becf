/**
 * The three answers a screening gives, and which is the stricter. Declared once, in src/api/decision.ts: screening
 * decides with it, the audit and the operations statistics count by it, and the API (and through it
 * the web console) answers with it.
 *
 * Strictness orders them clear < refer < hit: when two sources of evidence disagree (the list and a
 * category-wide rule, or the list and a stale replica), the crossing gets the stricter answer.
 */
import { type Decision, DECISIONS } from '../api/decision.js';

// The values are the API's (src/api/decision.ts, from the most lenient to the strictest); this module adds their order.
export { type Decision, DECISIONS };

const STRICTNESS: Record<Decision, number> = { clear: 0, refer: 1, hit: 2 };

export function isDecision(value: string): value is Decision {
  return (DECISIONS as readonly string[]).includes(value);
}

/** The stricter of two decisions (the first when they are equal). */
export function stricter(a: Decision, b: Decision): Decision {
  return STRICTNESS[b] > STRICTNESS[a] ? b : a;
}

/** Sort comparator: the strictest decision first. */
export function strictestFirst(a: Decision, b: Decision): number {
  return STRICTNESS[b] - STRICTNESS[a];
}
