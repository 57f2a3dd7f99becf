/** Damaging a SQLite file on purpose, the same way every run, for the tests of border/replicaHealth.ts. */
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Everything of the replica's state in its main file (no WAL), so the bytes changed below are the ones SQLite reads. */
export function checkpoint(stateFile: string) {
  const db = new Database(stateFile);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * Overwrites the B-tree page header (page type, freeblock, cell count, content offset) of the first
 * `pages` leaf pages of `table` with 0xFF: pages that hold rows, chosen the same way every run.
 */
export function damageTablePages(stateFile: string, table: string, pages: number): number[] {
  checkpoint(stateFile);
  const db = new Database(stateFile, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const chosen = db
    .prepare<[string, number], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' AND ncell > 0 ORDER BY pageno LIMIT ?")
    .all(table, pages)
    .map((r) => r.pageno);
  db.close();
  assert.equal(chosen.length, pages, `${table} has ${pages} leaf pages to damage`);
  const fd = openSync(stateFile, 'r+');
  for (const page of chosen) writeSync(fd, Buffer.alloc(8, 0xff), 0, 8, (page - 1) * pageSize);
  closeSync(fd);
  return chosen;
}

