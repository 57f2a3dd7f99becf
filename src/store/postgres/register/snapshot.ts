/**
 * The register's consistent snapshot on PostgreSQL: one REPEATABLE READ, READ ONLY transaction on its
 * own connection, streamed through server-side cursors; `asOfSeq` is read from `head` by its first
 * statement. Because the next writer can only lock `head` after the previous one is visible, every
 * snapshot holds exactly a prefix of the log. It ends with a manifest signed by the register's key.
 */
import type { Office } from '../../../domain/offices.js';
import type { CategoryRule } from '../../../domain/rules.js';
import { bucketOf } from '../../../exchange/digest.js';
import type { BorderAttestation, SnapshotLine, SnapshotRecord } from '../../../exchange/protocol.js';
import { borderPersonOf, borderRestrictionOf, manifestBytes, PROTOCOL_VERSION, snapshotDigest } from '../../../exchange/protocol.js';
import { type RegisterPersonRow as PersonRow, type RegisterRestrictionRow as RestrictionRow, registerPersonOf as personOf, registerRestrictionOf as restrictionOf } from '../../rows.js';
import { commit, fetchChunks } from '../db.js';
import type { RegisterDb } from './registerDb.js';

/**
 * Streams from its own connection inside one REPEATABLE READ, READ ONLY transaction: every statement
 * sees the database as of the first one, so writers carry on and the snapshot stays consistent.
 * Rows come through server-side cursors, `fetchRows` at a time.
 */
export async function* snapshot(db: RegisterDb, options: { buckets?: number[] } = {}): AsyncIterable<SnapshotLine> {
  const s = db.s;
  const only = options.buckets ? new Set(options.buckets) : null;
  const wanted = (record: SnapshotRecord) => !only || only.has(bucketOf(record));
  const client = await db.pool.connect();
  let broken: Error | undefined;
  let done = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The first statement fixes the transaction's snapshot: asOfSeq and every row below agree.
    const head = (await client.query<{ seq: number; last_hash: string }>(`SELECT seq, last_hash FROM ${s}.head`)).rows[0]!;
    const asOfSeq = head.seq;
    const lastHash = head.last_hash;
    const registerTime = new Date().toISOString();
    const digest = snapshotDigest();
    const expected = (
      await client.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM ${s}.offices) + (SELECT count(*) FROM ${s}.rules) + (SELECT count(*) FROM ${s}.persons) + (SELECT count(*) FROM ${s}.restrictions WHERE served_at IS NOT NULL) + (SELECT count(*) FROM ${s}.attestations WHERE revoked_at IS NULL) AS n`,
      )
    ).rows[0]!.n;
    yield { type: 'header', protocol: PROTOCOL_VERSION, asOfSeq, lastHash, registerTime, records: only ? -1 : expected };
    let records = 0;
    for (const row of (await client.query<{ body: string }>(`SELECT body FROM ${s}.offices ORDER BY office_id`)).rows) {
      const record: SnapshotRecord = { type: 'office', body: JSON.parse(row.body) as Office };
      if (!wanted(record)) continue;
      records++;
      digest.add(record);
      yield record;
    }
    for (const row of (await client.query<{ body: string }>(`SELECT body FROM ${s}.rules ORDER BY rule_id`)).rows) {
      const record: SnapshotRecord = { type: 'rule', body: JSON.parse(row.body) as CategoryRule };
      if (!wanted(record)) continue;
      records++;
      digest.add(record);
      yield record;
    }
    for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons ORDER BY person_id`, [], db.fetchRows)) {
      for (const row of rows) {
        const record: SnapshotRecord = { type: 'person', body: borderPersonOf(personOf(row)) };
        if (!wanted(record)) continue;
        records++;
        digest.add(record);
        yield record;
      }
    }
    for await (const rows of fetchChunks<RestrictionRow>(
      client,
      `SELECT * FROM ${s}.restrictions WHERE served_at IS NOT NULL ORDER BY restriction_id`,
      [],
      db.fetchRows,
    )) {
      for (const row of rows) {
        const body = borderRestrictionOf(restrictionOf(row));
        if (!body) continue;
        const record: SnapshotRecord = { type: 'restriction', body };
        if (!wanted(record)) continue;
        records++;
        digest.add(record);
        yield record;
      }
    }
    for (const row of (await client.query<{ body: string }>(`SELECT body FROM ${s}.attestations WHERE revoked_at IS NULL ORDER BY ref`)).rows) {
      const record: SnapshotRecord = { type: 'attestation', body: JSON.parse(row.body) as BorderAttestation };
      if (!wanted(record)) continue;
      records++;
      digest.add(record);
      yield record;
    }
    await commit(client);
    done = true;
    const manifest = { asOfSeq, lastHash, registerTime, records, digest: digest.hex(), buckets: only ? [...only].sort((a, b) => a - b) : null };
    yield { type: 'end', ...manifest, ...db.signer.sign(manifestBytes(manifest)) };
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    // A consumer that stops early (or an error) ends the read transaction here.
    if (!done) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    client.release(broken);
  }
}
