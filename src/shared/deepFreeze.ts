/**
 * Freezes a parsed JSON value and everything in it: a value a store keeps and hands to every caller
 * (a reader's cached sync view) must not be changed by one of them for the others.
 */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
