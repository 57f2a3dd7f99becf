/**
 * An issuing office as public register data: where a person whose exit is restricted can reach the
 * office that issued the restriction, and how (and by when) they may contest it. Nothing in it is
 * personal data — it is what an office prints on its notices — so it crosses the exchange whole and a
 * replica answers it to anyone who finds a restriction of that office in a self-check.
 */
export interface Office {
  /** The code restrictions name in their `office` field, e.g. MO-Moscow-12. */
  officeId: string;
  name: string;
  /** Postal address, one string as it is written on an envelope. */
  address: string;
  phone?: string;
  email?: string;
  web?: string;
  /** Opening hours, in words ("Mon–Fri 09:00–18:00"). */
  hours?: string;
  /** How to contest a restriction this office issued: where to apply and what to bring. */
  howToContest: string;
  /** Days the legal basis allows for contesting, counted from the day the restriction came into force. */
  contestDays?: number;
  /** When the register last stored this record (ISO instant); set by the register. */
  updatedAt: string;
}

/** The last calendar day (YYYY-MM-DD, UTC) to contest a restriction in force from `inForceFrom`, or undefined without a deadline. */
export function contestDeadline(inForceFrom: string, contestDays: number | undefined): string | undefined {
  if (contestDays === undefined) return undefined;
  const start = Date.parse(inForceFrom);
  if (Number.isNaN(start)) return undefined;
  return new Date(start + contestDays * 86_400_000).toISOString().slice(0, 10);
}
