/**
 * Checking a chain against the heads that were signed about it. The hash chain (ChainCheck) catches an
 * edit, insertion or deletion that was not covered up; a forger who recomputed the chain, or cut off its
 * newest entries, leaves a self-consistent chain — but not one that agrees with the heads signed before:
 *
 *  - a head whose entry exists with another hash: the chain was rewritten. Every entry up to the newest
 *    head that still agrees is vouched for (a chain hash covers everything before it), so the first
 *    rewritten entry is after that one: it is named as the first entry affected. How exactly that pins
 *    the edit depends on how densely heads were signed (--audit-head-every).
 *  - a head beyond the chain's end: entries after the end were removed.
 *
 * Pure: the caller brings the entries (SQLite or PostgreSQL) and the heads, their signatures already
 * checked.
 */
import { type AuditEntry, ChainCheck } from './chain.js';
import type { SignedHead } from './signedHead.js';

/** A signed head and where it came from ("local heads", "witness http://…"). */
export interface HeadClaim {
  head: SignedHead;
  source: string;
}

export type ChainVerdict =
  | { ok: true; entries: number; headsChecked: number; newestHead: HeadClaim | null }
  | { ok: false; entries: number; kind: 'broken'; seq: number; reason: string }
  | {
      ok: false;
      entries: number;
      kind: 'rewritten';
      /** The first entry not vouched for by a head that agrees (the newest agreeing head + 1). */
      firstAffected: number;
      /** The entry whose hash contradicts a signed head. */
      detectedAt: number;
      claim: HeadClaim;
      foundHash: string;
    }
  | { ok: false; entries: number; kind: 'truncated'; lastEntry: number; claim: HeadClaim };

export async function verifyChainAgainstHeads(entries: AsyncIterable<AuditEntry>, claims: HeadClaim[]): Promise<ChainVerdict> {
  const bySeq = new Map<number, HeadClaim[]>();
  for (const c of claims) bySeq.set(c.head.seq, [...(bySeq.get(c.head.seq) ?? []), c]);
  const chain = new ChainCheck();
  let lastAgreed = 0;
  let lastSeq = 0;
  let checked = 0;
  for await (const e of entries) {
    const bad = chain.check(e);
    if (bad) return { ok: false, entries: chain.entries, kind: 'broken', seq: bad.seq, reason: bad.reason };
    lastSeq = e.seq;
    const here = bySeq.get(e.seq);
    if (!here) continue;
    const contradicting = here.find((c) => c.head.hash !== e.hash);
    if (contradicting) {
      return { ok: false, entries: chain.entries, kind: 'rewritten', firstAffected: lastAgreed + 1, detectedAt: e.seq, claim: contradicting, foundHash: e.hash };
    }
    checked += here.length;
    lastAgreed = e.seq;
  }
  let beyond: HeadClaim | null = null;
  let newest: HeadClaim | null = null;
  for (const c of claims) {
    if (c.head.seq > lastSeq && (!beyond || c.head.seq > beyond.head.seq)) beyond = c;
    if (c.head.seq <= lastSeq && (!newest || c.head.seq > newest.head.seq)) newest = c;
  }
  if (beyond) return { ok: false, entries: chain.entries, kind: 'truncated', lastEntry: lastSeq, claim: beyond };
  return { ok: true, entries: chain.entries, headsChecked: checked, newestHead: newest };
}

/** One line for a person: what was found and where to look. */
export function describeVerdict(label: string, v: ChainVerdict): string {
  if (v.ok) {
    const heads = v.headsChecked === 0
      ? 'no signed heads to check against (a recomputed chain or a removed tail would not show: see --witness)'
      : `${v.headsChecked} signed ${v.headsChecked === 1 ? 'head agrees' : 'heads agree'}, the newest at entry ${v.newestHead!.head.seq} (signed ${v.newestHead!.head.at}, ${v.newestHead!.source})`;
    return `${label}: ${v.entries} entries, chain intact; ${heads}`;
  }
  switch (v.kind) {
    case 'broken':
      return `${label}: BROKEN at entry ${v.seq}: ${v.reason}`;
    case 'rewritten':
      return (
        `${label}: REWRITTEN from entry ${v.firstAffected}: entry ${v.detectedAt} has hash ${v.foundHash.slice(0, 16)}…, but the head signed at ${v.claim.head.at} (${v.claim.source}) says ${v.claim.head.hash.slice(0, 16)}…; ` +
        (v.firstAffected === v.detectedAt
          ? `entries before it agree with the signed heads, so entry ${v.detectedAt} is the first rewritten`
          : v.firstAffected > 1
            ? `entries 1–${v.firstAffected - 1} agree with the signed heads, so the rewrite starts somewhere in entries ${v.firstAffected}–${v.detectedAt}`
            : `no earlier signed head agrees, so the rewrite starts somewhere in entries 1–${v.detectedAt}`)
      );
    case 'truncated':
      return `${label}: TRUNCATED: entries after ${v.lastEntry} missing; the head signed at ${v.claim.head.at} (${v.claim.source}) covers entry ${v.claim.head.seq}`;
  }
}
