/**
 * The register's snapshot on SQLite: every office, rule, person, served restriction and attestation in force as border records,
 * streamed from a read-only connection of its own inside one read transaction — in WAL mode that pins
 * the database as of the transaction's first read, so writers carry on and the snapshot is exactly the
 * state as of one sequence number. Ends with a signed manifest (count, digest, optional buckets).
 */
import type { Office } from '../../../domain/offices.js';
import type { CategoryRule } from '../../../domain/rules.js';
import { bucketOf } from '../../../exchange/digest.js';
import type { BorderAttestation, SnapshotLine, SnapshotRecord } from '../../../exchange/protocol.js';
import { borderPersonOf, borderRestrictionOf, manifestBytes, PROTOCOL_VERSION, snapshotDigest } from '../../../exchange/protocol.js';
import { type RegisterPersonRow as PersonRow, registerPersonOf as personOf, type RegisterRestrictionRow as RestrictionRow, registerRestrictionOf as restrictionOf } from '../../rows.js';
import { openDatabase } from '../../../shared/sqlite.js';
import type { RegisterDb } from './registerDb.js';

export function* snapshot(r: RegisterDb, options: { buckets?: number[] } = {}): Generator<SnapshotLine> {
  const only = options.buckets ? new Set(options.buckets) : null;
  const wanted = (record: SnapshotRecord) => !only || only.has(bucketOf(record));
  const reader = openDatabase(r.file, { synchronous: 'NORMAL', readonly: true });
  try {
    reader.exec('BEGIN');
    const last = reader.prepare('SELECT last_seq, hash FROM batches ORDER BY last_seq DESC LIMIT 1').get() as
      | { last_seq: number; hash: string }
      | undefined;
    const asOfSeq = last?.last_seq ?? 0;
    const lastHash = last?.hash ?? '';
    const registerTime = new Date().toISOString();
    const digest = snapshotDigest();
    const expected = reader
      .prepare('SELECT (SELECT count(*) FROM offices) + (SELECT count(*) FROM rules) + (SELECT count(*) FROM persons) + (SELECT count(*) FROM restrictions WHERE served_at IS NOT NULL) + (SELECT count(*) FROM attestations WHERE revoked_at IS NULL) AS n')
      .get() as { n: number };
    yield { type: 'header', protocol: PROTOCOL_VERSION, asOfSeq, lastHash, registerTime, records: only ? -1 : expected.n };
    let records = 0;
    for (const row of reader.prepare<[], { body: string }>('SELECT body FROM offices ORDER BY office_id').iterate()) {
      const record: SnapshotRecord = { type: 'office', body: JSON.parse(row.body) as Office };
      if (!wanted(record)) continue;
      records++;
      digest.add(record);
      yield record;
    }
    for (const row of reader.prepare<[], { body: string }>('SELECT body FROM rules ORDER BY rule_id').iterate()) {
      const record: SnapshotRecord = { type: 'rule', body: JSON.parse(row.body) as CategoryRule };
      if (!wanted(record)) continue;
      records++;
      digest.add(record);
      yield record;
    }
    for (const row of reader.prepare<[], PersonRow>('SELECT * FROM persons ORDER BY person_id').iterate()) {
      const record: SnapshotRecord = { type: 'person', body: borderPersonOf(personOf(row)) };
      if (!wanted(record)) continue;
      records++;
      digest.add(record);
      yield record;
    }
    for (const row of reader
      .prepare<[], RestrictionRow>('SELECT * FROM restrictions WHERE served_at IS NOT NULL ORDER BY restriction_id')
      .iterate()) {
      const body = borderRestrictionOf(restrictionOf(row));
      if (body) {
        const record: SnapshotRecord = { type: 'restriction', body };
        if (!wanted(record)) continue;
        records++;
        digest.add(record);
        yield record;
      }
    }
    for (const row of reader.prepare<[], { body: string }>('SELECT body FROM attestations WHERE revoked_at IS NULL ORDER BY ref').iterate()) {
      const record: SnapshotRecord = { type: 'attestation', body: JSON.parse(row.body) as BorderAttestation };
      if (!wanted(record)) continue;
      records++;
      digest.add(record);
      yield record;
    }
    reader.exec('COMMIT');
    const manifest = { asOfSeq, lastHash, registerTime, records, digest: digest.hex(), buckets: options.buckets ? [...only!].sort((a, b) => a - b) : null };
    yield { type: 'end', ...manifest, ...r.signer.sign(manifestBytes(manifest)) };
  } finally {
    reader.close();
  }
}
