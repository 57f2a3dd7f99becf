/**
 * What every store's bench code shares: loading a register through its own operations, and turning
 * the register's change log into the rows a replica of that store writes (the apply baseline).
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { ReplicaStore } from '../../src/border/replicaStore.js';
import type { BorderPerson, BorderRestriction } from '../../src/exchange/protocol.js';
import { defaultMatcher } from '../../src/matching/index.js';
import type { PersonInput } from '../../src/register/schemas.js';
import { RegisterService } from '../../src/register/registerService.js';
import type { RegisterStore } from '../../src/register/registerStore.js';
import type { RawBatch } from './deployment.js';

/**
 * Loads `persons` through RegisterService (the code path of `erx register import`), `batchSize` per
 * register transaction. Returns how many were loaded.
 */
export async function loadPersons(store: RegisterStore, persons: Iterable<PersonInput>, batchSize: number, onProgress?: (persons: number) => void): Promise<number> {
  const service = new RegisterService(store);
  let loaded = 0;
  let batch: PersonInput[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const results = await service.upsertPersons(batch);
    const failed = results.find((r) => r instanceof Error);
    if (failed) throw new Error(`synthetic person refused by the register: ${(failed as Error).message}`);
    loaded += batch.length;
    batch = [];
    onProgress?.(loaded);
    // Let signals (Ctrl-C) in: with SQLite everything above resolves without a turn of the event loop.
    await turn();
  };
  for (const p of persons) {
    batch.push(p);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return loaded;
}

/** The row a replica store writes for a person or a restriction, column by column (each store has its own). */
export interface ReplicaRowShape {
  person(p: BorderPerson, seq: number): unknown[];
  restriction(r: BorderRestriction, seq: number): unknown[];
}

/** One register batch's changes as the rows a replica of `shape` writes, name keys precomputed. */
export function rawBatchOf(changes: Iterable<{ seq: number; entity: string; body: string | null }>, shape: ReplicaRowShape): RawBatch {
  const out: RawBatch = { persons: [], restrictions: [], documents: [], nameKeys: [] };
  for (const c of changes) {
    if (c.body === null) continue;
    if (c.entity === 'person') {
      const p = JSON.parse(c.body) as BorderPerson;
      out.persons.push(shape.person(p, c.seq));
      for (const d of p.documents) out.documents.push([d.number, d.country, p.personId]);
      for (const k of defaultMatcher.indexKeys(p)) out.nameKeys.push([k, p.personId]);
    } else if (c.entity === 'restriction') {
      out.restrictions.push(shape.restriction(JSON.parse(c.body) as BorderRestriction, c.seq));
    }
  }
  return out;
}

/**
 * B-tree entries a raw insert of `b` writes: each row, and a by-person index entry beside each
 * restriction; with the index rows, each document and name-key row too (they have no by-person index).
 */
export function indexEntries(b: RawBatch, withIndexRows: boolean): number {
  return withIndexRows ? b.persons.length + 2 * b.restrictions.length + b.documents.length + b.nameKeys.length : b.persons.length + b.restrictions.length;
}

/**
 * `replica` (at cursor 0) applies the whole change log of `source`, `pageSize` changes per call as a
 * replica asks for them, in-process: no transport, no signature check. Times only applyBatches; closes both.
 */
export async function applyAll(source: RegisterStore, replica: ReplicaStore, pageSize: number): Promise<{ changes: number; seconds: number }> {
  let cursor = 0;
  let changes = 0;
  let ms = 0;
  try {
    for (;;) {
      const batches = await source.batchesAfter(cursor, pageSize);
      if (batches.length === 0) break;
      const last = batches[batches.length - 1]!;
      const t0 = performance.now();
      await replica.applyBatches(cursor, batches.map((b) => ({ lastSeq: b.lastSeq, hash: b.hash, changes: b.changes })), last.lastSeq, last.committedAt);
      ms += performance.now() - t0;
      changes += last.lastSeq - cursor;
      cursor = last.lastSeq;
      await turn();
    }
  } finally {
    await source.close();
    await replica.close();
  }
  return { changes, seconds: ms / 1000 };
}
