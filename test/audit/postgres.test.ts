/**
 * `erx audit verify` and `erx audit export` on a PostgreSQL-backed service's trail (a border central
 * database): heads signed by the same signer the service runs, then a truncation and a recomputed
 * rewrite done in SQL by someone who can drop the trigger. Skipped with the reason when PostgreSQL is
 * unreachable; in CI (CI=true) that is a failure (test/store/backends.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openAuditKeys } from '../../src/audit/auditKeys.js';
import { openAuditChain } from '../../src/store/openAuditChain.js';
import { AuditHeadSigner } from '../../src/audit/headSigner.js';
import { LocalHeads } from '../../src/audit/headsFile.js';
import { entryHash } from '../../src/audit/chain.js';
import { auditEntryOf, type AuditRow } from '../../src/store/auditRow.js';
import { ERX_BIN } from '../../src/cli/child.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { PostgresReplicaStore } from '../../src/store/postgres/replicaStore.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, person, tempDir } from '../helpers.js';
import { freshSchema, PG_URL, pgExec, postgres, unavailableHere } from '../store/backends.js';

const run = promisify(execFile);
const quiet = { error: () => undefined, warn: () => undefined };

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [ERX_BIN, 'audit', ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    return err as { code: number; stdout: string; stderr: string };
  }
}

test('a PostgreSQL trail is verified by erx audit verify: intact, truncated, recomputed', async (t) => {
  if (await unavailableHere(t, postgres)) return;
  const dir = tempDir(t);
  let store: PostgresReplicaStore | null = null;
  const schema = freshSchema(t, async () => store?.close());
  store = await PostgresReplicaStore.open({ connectionString: PG_URL, schema, matcher: defaultMatcher });
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const storeUrl = url.toString();

  const chain = openAuditChain({ dataDir: dir, store: storeUrl, service: 'border' });
  t.after(() => chain.close());
  const signer = new AuditHeadSigner({ service: 'centre-1', chain, heads: new LocalHeads(dir), key: openAuditKeys(dir), log: quiet });
  for (let i = 1; i <= 12; i++) {
    await store.recordScreening({ screeningId: `s-${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), requester: 'cp@10.0.0.1', request: {}, decision: i % 4 ? 'clear' : 'hit', reasons: [], replicaSeq: i });
    if (i % 4 === 0) assert.ok(await signer.sign());
  }
  assert.equal(await signer.sign(), null, 'a head that did not move is not signed again');

  const where = ['--data', dir, '--store', storeUrl, '--service', 'border'];
  const intact = await cli(['verify', ...where]);
  assert.equal(intact.code, 0, intact.stdout + intact.stderr);
  assert.match(intact.stdout, new RegExp(`PostgreSQL schema ${schema}: 12 entries, chain intact; 3 signed heads agree, the newest at entry 12`));
  const exported = await cli(['export', ...where, '--from', '2026-01-01', '--to', '2026-01-02']);
  assert.equal(exported.stdout.trim().split('\n').length, 12);

  await pgExec(`DROP TRIGGER audit_append_only ON "${schema}".audit_trail; DELETE FROM "${schema}".audit_trail WHERE seq > 10`);
  const truncated = await cli(['verify', ...where]);
  assert.equal(truncated.code, 1);
  assert.match(truncated.stdout, /TRUNCATED: entries after 10 missing; the head signed at \S+ \(local heads\) covers entry 12/);

  // Entry 8 (a hit) says "clear" now, and every hash from there on is recomputed: the chain alone holds.
  const rows = (await pgExec(`SELECT * FROM "${schema}".audit_trail WHERE seq >= 5 ORDER BY seq`)).rows as AuditRow[];
  let prevHash = rows[0]!.hash;
  for (const row of rows.slice(1)) {
    const e = auditEntryOf({ ...row, seq: Number(row.seq) });
    if (e.seq === 8) e.detail = { ...(e.detail as object), decision: 'clear', reasons: [] };
    e.prevHash = prevHash;
    e.hash = entryHash(e);
    await pgExec(`UPDATE "${schema}".audit_trail SET detail = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, [JSON.stringify(e.detail), e.prevHash, e.hash, e.seq]);
    prevHash = e.hash;
  }
  assert.equal((await store.trail.verify()).ok, true, 'the recomputed chain passes the hash chain alone');
  const rewritten = await cli(['verify', ...where]);
  assert.equal(rewritten.code, 1);
  assert.match(rewritten.stdout, /REWRITTEN from entry 5: entry 8 has hash \S+, but the head signed at \S+ \(local heads\) says/);
});

test('a register on PostgreSQL signs its trail head at shutdown, and verify reads both', async (t) => {
  if (await unavailableHere(t, postgres)) return;
  const dir = tempDir(t);
  const schema = freshSchema(t);
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  const reg = await createRegister({ dataDir: dir, store: url.toString(), auditHeadEveryMs: 3_600_000 });
  await reg.service.upsertPerson(person({ restrictions: [callUp('CU-PG1')] }), 'office:clerk@MO-Moscow-12');
  await reg.service.recordService('CU-PG1', '2024-10-02T10:00:00.000Z', 'portal', 'office:clerk@MO-Moscow-12');
  await reg.close();
  const r = await cli(['verify', '--data', dir, '--store', url.toString()]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`PostgreSQL schema ${schema}: 2 entries, chain intact; 1 signed head agrees, the newest at entry 2`));
});
