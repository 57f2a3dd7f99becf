/**
 * The audit chain's entry built in two steps (prepareEntry outside the appenders' lock, entryAfter
 * under it) is the entry nextEntry's one-step definition makes: the same hash as entryHash's
 * canonical JSON of the whole, for every kind of value a detail holds, so a trail written either way
 * verifies, and one verified before this change still does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AuditEntry, entryAfter, entryHash, type NewAuditEntry, prepareEntry, verifyChain } from '../../src/audit/chain.js';
import { canonicalJson } from '../../src/shared/canonical.js';

const details: unknown[] = [
  null,
  undefined,
  0,
  -1.5e-7,
  'text with "quotes", a backslash \\ and a line\nbreak',
  'Микола Ковальчук — Łódź 🛂',
  [],
  [3, 1, 2, { b: 1, a: [null, true, false] }],
  { zeta: 1, alpha: { y: 'y', x: 'x' }, middle: [{ d: 4, c: 3 }], empty: {} },
  { screeningId: 'b1d0', request: { surname: 'KOVALCHUK', givenNames: 'NIKOLAI', dateOfBirth: '1980-01-02' }, decision: 'hit', reasons: [{ restrictionId: 'r-1', personId: 'p-1', status: 'in-force', score: 0.987 }], replicaSeq: 42, manifest: { manifestId: 'm', position: 7 } },
  { dropped: undefined, kept: 1 },
];

/** entryHash's own definition of the entry that follows `prev`: the canonical JSON of every field. */
function oneStep(prev: { seq: number; hash: string }, e: NewAuditEntry, at: string): AuditEntry {
  const entry = { seq: prev.seq + 1, at, actor: e.actor, action: e.action, subject: e.subject, detail: JSON.parse(JSON.stringify(e.detail ?? null)) as unknown, prevHash: prev.hash };
  return { ...entry, hash: entryHash(entry) };
}

test('an entry prepared before the lock and placed after a head hashes as the canonical JSON of the whole entry', () => {
  let head = { seq: 0, hash: '' };
  for (const [i, detail] of details.entries()) {
    const e: NewAuditEntry = { actor: `checkpoint "${i}"@127.0.0.1`, action: i % 2 ? 'screening' : 'manifest \u2028 screening', subject: `subject-${i}`, detail, at: `2026-12-08T01:0${i % 10}:00.000Z` };
    const prepared = prepareEntry(e);
    const entry = entryAfter(head, prepared);
    const expected = oneStep(head, e, e.at!);
    assert.deepEqual(entry, expected, `detail ${canonicalJson(detail ?? null)}`);
    assert.equal(prepared.detailJson, JSON.stringify(entry.detail), 'the stored JSON reads back as the hashed detail');
    head = { seq: entry.seq, hash: entry.hash };
  }
});

test('a chain built from prepared entries verifies, and editing one breaks it at that entry', () => {
  const entries: AuditEntry[] = [];
  let head = { seq: 0, hash: '' };
  for (const detail of details) {
    const entry = entryAfter(head, prepareEntry({ actor: 'a', action: 'screening', subject: 's', detail }));
    entries.push(entry);
    head = entry;
  }
  assert.deepEqual(verifyChain(entries), { ok: true, entries: details.length });
  const edited = entries.map((e) => ({ ...e }));
  edited[4] = { ...edited[4]!, detail: 'changed' };
  assert.deepEqual(verifyChain(edited).firstBad, { seq: 5, reason: 'content does not match its hash (edited)' });
});
