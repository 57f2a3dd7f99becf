/**
 * One register write transaction on SQLite: the RegisterTx its operation sees (entity writes, person
 * versions, rules, audit entries and change-log appends, all on the one connection inside BEGIN
 * IMMEDIATE), and at commit the changes it appended sealed into the next signed link of the batch chain.
 */
import type { Change, SignedBatch } from '../../../exchange/protocol.js';
import { batchHash, isRelief } from '../../../exchange/protocol.js';
import type { RegisterTx } from '../../../register/registerStore.js';
import { noticeRow, registerPersonRow } from '../../rows.js';
import type { AuditTrail } from '../auditTrail.js';
import * as dueProcess from './dueProcess.js';
import { campaignRestrictions, readPerson, readRestriction, readOffice, readRule, restrictionsOf } from './reads.js';
import type { RegisterDb } from './registerDb.js';
import * as outcomes from './outcomes.js';
import { writeSearchKeys } from './searchKeys.js';

export class WriteTransaction {
  /** Changes appended by the transaction; they become one signed batch at commit. */
  private readonly pending: Change[] = [];
  private pendingAt: string | null = null;

  constructor(
    private readonly r: RegisterDb,
    private readonly trail: AuditTrail,
  ) {}

  readonly tx: RegisterTx = {
    getPerson: async (id) => readPerson(this.r, id),
    putPerson: async (p) => {
      this.r.stmt.putPerson.run(registerPersonRow(p));
      writeSearchKeys(this.r, p);
    },
    keepPersonVersion: async (previous, supersededAt, supersededBy) => {
      const version = (this.r.stmt.lastVersion.get(previous.personId)?.version ?? 0) + 1;
      this.r.stmt.putVersion.run(previous.personId, version, supersededAt, supersededBy, JSON.stringify(previous));
      return version;
    },
    restrictionsOf: async (id) => restrictionsOf(this.r, id),
    getRestriction: async (id) => readRestriction(this.r, id),
    putRestriction: async (r) => {
      this.r.stmt.putRestriction.run({
        restriction_id: r.restrictionId,
        person_id: r.personId,
        kind: r.kind,
        basis: r.basis,
        office: r.office,
        issued_at: r.issuedAt,
        served_at: r.servedAt ?? null,
        service_channel: r.serviceChannel ?? null,
        lifted_at: r.liftedAt ?? null,
        lift_reason: r.liftReason ?? null,
        delivered_at: r.deliveredAt ?? null,
        in_force_from: r.inForceFrom ?? null,
        expires_at: r.expiresAt ?? null,
        review_at: r.reviewAt ?? null,
        campaign: r.campaign ?? null,
      });
    },
    campaignRestrictions: async (campaign) => campaignRestrictions(this.r, campaign),
    getRule: async (id) => readRule(this.r, id),
    putRule: async (rule) => {
      const body = JSON.stringify(rule);
      this.r.stmt.putRule.run(rule.ruleId, rule.version, body);
      this.r.stmt.putRuleVersion.run(rule.ruleId, rule.version, body);
    },
    getOffice: async (id) => readOffice(this.r, id),
    putOffice: async (office) => {
      this.r.stmt.putOffice.run(office.officeId, JSON.stringify(office));
    },
    getOutcome: async (replica, n) => outcomes.getOutcome(this.r.db, replica, n),
    outcomeOfScreening: async (replica, screeningId) => outcomes.outcomeOfScreening(this.r.db, replica, screeningId),
    putOutcome: async (o) => outcomes.putOutcome(this.r.db, o),
    getAttestation: async (ref) => outcomes.getAttestation(this.r.db, ref),
    putAttestation: async (a) => outcomes.putAttestation(this.r.db, a),
    audit: async (entry) => {
      this.trail.append(entry);
    },
    appendChange: async (entity, key, body) => {
      const seq = (this.r.stmt.head.get()?.head ?? 0) + 1;
      const at = this.pendingAt ?? (this.pendingAt = new Date().toISOString());
      this.r.stmt.append.run(seq, at, entity, key, body === null ? null : JSON.stringify(body));
      this.pending.push({ seq, at, entity, key, body } as Change);
      return seq;
    },
    getContest: async (caseNumber) => dueProcess.getContest(this.r, caseNumber),
    putContest: async (c) => dueProcess.putContest(this.r, c),
    addReview: async (review) => dueProcess.addReview(this.r, review),
    queueNotice: async (notice) => {
      this.r.stmt.queueNotice.run(noticeRow(notice, new Date().toISOString()));
    },
  };

  /** Seals the transaction's changes into the next link of the batch chain (before COMMIT). */
  sealBatch(): SignedBatch | null {
    if (this.pending.length === 0) return null;
    const prev = this.r.stmt.lastBatch.get();
    const unsigned = {
      firstSeq: this.pending[0]!.seq,
      lastSeq: this.pending[this.pending.length - 1]!.seq,
      prevHash: prev?.hash ?? '',
      committedAt: this.pendingAt!,
      changes: this.pending,
    };
    const hash = batchHash(unsigned);
    const sig = this.r.signer.sign(Buffer.from(hash));
    this.r.stmt.putBatch.run({
      relief: this.pending.some(isRelief) ? 1 : 0,
      last_seq: unsigned.lastSeq,
      first_seq: unsigned.firstSeq,
      prev_hash: unsigned.prevHash,
      hash,
      committed_at: unsigned.committedAt,
      key_id: sig.keyId,
      signature: sig.signature,
    });
    return { ...unsigned, hash, ...sig };
  }
}
