/**
 * One register write transaction on PostgreSQL. It runs on one pooled client and first locks the
 * `head` row (SELECT … FOR UPDATE): seqs are assigned from it and it is moved in the same transaction,
 * so a rollback gives its numbers back, and the same lock makes writers in every process take turns.
 * Write transactions run with `synchronous_commit = on` whatever the server default, so a change is on
 * disk before anyone can see it. The RegisterTx buffers person writes and audit entries; at commit the
 * changes it appended are sealed into the next signed link of the batch chain, with a NOTIFY of the
 * new head that is delivered only if the transaction commits.
 */
import type { AuditEntry } from '../../../audit/chain.js';
import type { Person } from '../../../domain/types.js';
import type { Change, SignedBatch } from '../../../exchange/protocol.js';
import { batchHash } from '../../../exchange/protocol.js';
import type { RegisterTx } from '../../../register/registerStore.js';
import { noticeRow, registerPersonOf as personOf, registerPersonRow } from '../../rows.js';
import { type ChainHead, PostgresAuditTrail } from '../auditTrail.js';
import { commit, type PoolClient } from '../db.js';
import * as dueProcess from './dueProcess.js';
import { campaignRestrictions, readPerson, readRestriction, readOffice, readRule, restrictionsOf } from './reads.js';
import type { RegisterDb } from './registerDb.js';
import * as outcomes from './outcomes.js';
import { writeSearchKeys } from './searchKeys.js';

/** The state of one open write transaction. */
interface OpenTx {
  client: PoolClient;
  head: number;
  lastHash: string;
  /** Changes appended so far; written and sealed at commit. */
  pending: Change[];
  pendingAt: string | null;
  /**
   * Person writes not yet sent (a put overwrites a whole row, so reads inside the transaction are
   * answered from here exactly). Sent in one statement before a restriction write and at commit.
   */
  persons: Map<string, Person>;
  /** Audit entries built on the locked end of the chain; written at commit. */
  audits: AuditEntry[];
  auditHead: ChainHead | null;
  open: boolean;
}

/**
 * Runs `fn` as one write transaction and commits it with its sealed batch; `announce` hears the new
 * head after the commit. The caller serialises this process's writers (and waits for the schema).
 */
export async function runWriteTransaction<T>(db: RegisterDb, fn: (tx: RegisterTx) => Promise<T>, announce: (head: number) => void): Promise<T> {
  const client = await db.pool.connect();
  const t: OpenTx = { client, head: 0, lastHash: '', pending: [], pendingAt: null, persons: new Map(), audits: [], auditHead: null, open: true };
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL synchronous_commit TO on');
    const head = (await client.query<{ seq: number; last_hash: string }>(`SELECT seq, last_hash FROM ${db.s}.head FOR UPDATE`)).rows[0]!;
    t.head = head.seq;
    t.lastHash = head.last_hash;
    const result = await fn(txOn(db, t));
    const batch = await sealBatch(db, t);
    t.open = false;
    await commit(client);
    if (batch) announce(batch.lastSeq);
    return result;
  } catch (err) {
    t.open = false;
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** The RegisterTx an operation sees, over the open transaction `t`; usable only while it is open. */
function txOn(db: RegisterDb, t: OpenTx): RegisterTx {
  const s = db.s;
  const client = () => {
    if (!t.open) throw new Error('register transaction used after it ended');
    return t.client;
  };
  return {
    getPerson: async (id) => {
      const buffered = t.persons.get(id);
      if (buffered) return structuredClone(buffered);
      return readPerson(db, id, client());
    },
    putPerson: async (p) => {
      client();
      // As stored and read back: absent optional fields stay absent.
      t.persons.set(p.personId, personOf(registerPersonRow(p)));
    },
    keepPersonVersion: async (previous, supersededAt, supersededBy) => {
      const row = (
        await client().query<{ version: number }>(
          `INSERT INTO ${s}.person_versions (person_id, version, superseded_at, superseded_by, body)
           SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM ${s}.person_versions WHERE person_id = $1
           RETURNING version`,
          [previous.personId, supersededAt, supersededBy, JSON.stringify(previous)],
        )
      ).rows[0]!;
      return Number(row.version);
    },
    restrictionsOf: async (id) => restrictionsOf(db, id, client()),
    getRestriction: async (id) => readRestriction(db, id, client()),
    putRestriction: async (r) => {
      await flushPersons(db, t); // the restriction's person must exist first
      await client().query(
        `INSERT INTO ${s}.restrictions (restriction_id, person_id, kind, basis, office, issued_at, served_at, service_channel, lifted_at,
           lift_reason, delivered_at, in_force_from, expires_at, review_at, campaign)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (restriction_id) DO UPDATE SET served_at = excluded.served_at,
           service_channel = excluded.service_channel, lifted_at = excluded.lifted_at, lift_reason = excluded.lift_reason,
           delivered_at = excluded.delivered_at, in_force_from = excluded.in_force_from, expires_at = excluded.expires_at,
           review_at = excluded.review_at`,
        [
          r.restrictionId,
          r.personId,
          r.kind,
          r.basis,
          r.office,
          r.issuedAt,
          r.servedAt ?? null,
          r.serviceChannel ?? null,
          r.liftedAt ?? null,
          r.liftReason ?? null,
          r.deliveredAt ?? null,
          r.inForceFrom ?? null,
          r.expiresAt ?? null,
          r.reviewAt ?? null,
          r.campaign ?? null,
        ],
      );
    },
    getRule: async (id) => readRule(db, id, client()),
    putRule: async (rule) => {
      const body = JSON.stringify(rule);
      await client().query(
        `INSERT INTO ${s}.rules (rule_id, version, body) VALUES ($1, $2, $3) ON CONFLICT (rule_id) DO UPDATE SET version = excluded.version, body = excluded.body`,
        [rule.ruleId, rule.version, body],
      );
      await client().query(`INSERT INTO ${s}.rule_versions (rule_id, version, body) VALUES ($1, $2, $3)`, [rule.ruleId, rule.version, body]);
    },
    getOffice: async (id) => readOffice(db, id, client()),
    putOffice: async (office) => {
      await client().query(`INSERT INTO ${s}.offices (office_id, body) VALUES ($1, $2) ON CONFLICT (office_id) DO UPDATE SET body = excluded.body`, [
        office.officeId,
        JSON.stringify(office),
      ]);
    },
    campaignRestrictions: async (campaign) => campaignRestrictions(db, campaign, client()),
    getOutcome: async (replica, n) => outcomes.getOutcome(client(), s, replica, n),
    outcomeOfScreening: async (replica, screeningId) => outcomes.outcomeOfScreening(client(), s, replica, screeningId),
    putOutcome: async (o) => outcomes.putOutcome(client(), s, o),
    getAttestation: async (ref) => outcomes.getAttestation(client(), s, ref),
    putAttestation: async (a) => outcomes.putAttestation(client(), s, a),
    audit: async (entry) => {
      t.auditHead ??= await db.trail.lockHead(client());
      const built = PostgresAuditTrail.next(t.auditHead, entry);
      t.audits.push(built);
      t.auditHead = { seq: built.seq, hash: built.hash };
    },
    appendChange: async (entity, key, body) => {
      client();
      const seq = t.head + t.pending.length + 1;
      const at = t.pendingAt ?? (t.pendingAt = new Date().toISOString());
      t.pending.push({ seq, at, entity, key, body } as Change);
      return seq;
    },
    getContest: async (caseNumber) => dueProcess.getContest(db, caseNumber, client()),
    putContest: async (c) => dueProcess.putContest(db, c, client()),
    addReview: async (review) => dueProcess.addReview(db, review, client()),
    queueNotice: async (notice) => {
      const row = noticeRow(notice, new Date().toISOString());
      await client().query(
        `INSERT INTO ${s}.notices (created_at, kind, person_id, channel, address, language, event, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $1)`,
        [row.created_at, row.kind, row.person_id, row.channel, row.address, row.language, row.event],
      );
    },
  };
}

/** Sends the buffered person writes (and their search keys) in one statement. */
async function flushPersons(db: RegisterDb, t: OpenTx): Promise<void> {
  if (t.persons.size === 0) return;
  const persons = [...t.persons.values()];
  const rows = persons.map(registerPersonRow);
  t.persons.clear();
  await t.client.query(
    `INSERT INTO ${db.s}.persons (person_id, surname, given_names, patronymic, date_of_birth, sex, documents, deferments, contact)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
     ON CONFLICT (person_id) DO UPDATE SET surname = excluded.surname, given_names = excluded.given_names,
       patronymic = excluded.patronymic, date_of_birth = excluded.date_of_birth, sex = excluded.sex,
       documents = excluded.documents, deferments = excluded.deferments, contact = excluded.contact`,
    [
      rows.map((r) => r.person_id),
      rows.map((r) => r.surname),
      rows.map((r) => r.given_names),
      rows.map((r) => r.patronymic),
      rows.map((r) => r.date_of_birth),
      rows.map((r) => r.sex),
      rows.map((r) => r.documents),
      rows.map((r) => r.deferments),
      rows.map((r) => r.contact),
    ],
  );
  await writeSearchKeys(db, t.client, persons);
}

/**
 * At commit: sends the buffered writes and audit entries, then writes the transaction's changes and
 * seals them into the next link of the batch chain.
 */
async function sealBatch(db: RegisterDb, t: OpenTx): Promise<SignedBatch | null> {
  await flushPersons(db, t);
  await db.trail.insert(t.client, t.audits);
  if (t.pending.length === 0) return null;
  const s = db.s;
  const unsigned = {
    firstSeq: t.pending[0]!.seq,
    lastSeq: t.pending[t.pending.length - 1]!.seq,
    prevHash: t.lastHash,
    committedAt: t.pendingAt!,
    changes: t.pending,
  };
  const hash = batchHash(unsigned);
  const sig = db.signer.sign(Buffer.from(hash));
  await t.client.query(
    `INSERT INTO ${s}.changes (seq, at, entity, key, body)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [
      t.pending.map((c) => c.seq),
      t.pending.map((c) => c.at),
      t.pending.map((c) => c.entity),
      t.pending.map((c) => c.key),
      t.pending.map((c) => (c.body === null ? null : JSON.stringify(c.body))),
    ],
  );
  await t.client.query(
    `INSERT INTO ${s}.batches (last_seq, first_seq, prev_hash, hash, committed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [unsigned.lastSeq, unsigned.firstSeq, unsigned.prevHash, hash, unsigned.committedAt, sig.keyId, sig.signature],
  );
  await t.client.query(`UPDATE ${s}.head SET seq = $1, last_hash = $2`, [unsigned.lastSeq, hash]);
  // Delivered to listeners only if this transaction commits.
  await t.client.query('SELECT pg_notify($1, $2)', [db.channel, String(unsigned.lastSeq)]);
  return { ...unsigned, hash, ...sig };
}
