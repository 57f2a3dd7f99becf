/**
 * Who asked for a screening, as the audit trail records it: `NAME@ADDRESS` — the checkpoint's name (its
 * token's subject) and the client address. The name may itself contain `@`; an address never does, so
 * the name is everything before the last `@`.
 *
 * A checkpoint lists only its own screenings: those whose name is exactly its subject — not a prefix
 * (cp-1 is not cp-10), not another case (CP-1), not a pattern (`%`, `_`). Both stores compare that
 * part byte for byte in SQL (no LIKE, which SQLite folds by case), so LIMIT still counts only its rows.
 */
export function requesterOf(name: string, address: string): string {
  return `${name}@${address}`;
}

