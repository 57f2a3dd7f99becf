/**
 * The register's end of the reverse channel: outcomes of screenings sent back by replicas
 * (exchange/outcome.ts), and the confirmed non-matches they create (exchange/attestation.ts).
 *
 * Each outcome is checked before anything is written: its replica must be trusted (replicaKeys.ts) and
 * its signature must hold under that replica's keys, so a relay, or a replica speaking for another,
 * can neither forge nor alter one. Then, per outcome, in one transaction: an outcome already held under
 * the same (replica, n) with the same content is a no-op (a resend after a crash or an offline
 * period); another content under a number or a screening already held is refused (a replay or a
 * forgery); a new one is stored, audited, and — for not-the-listed-person — its attestation is stored
 * and appended to the change log (entity `attestation`, relief), so it reaches every replica.
 * The answer is how far the register holds the replica's outcomes without a gap.
 */
import type { z } from 'zod';
import type { outcomesReportSchema } from '../api/outcomes.js';
import { outcomeSignatureProblem, type SignedOutcome } from '../exchange/outcome.js';
import type { BorderAttestation } from '../exchange/protocol.js';
import { sameValue } from '../shared/canonical.js';
import { Conflict, ErxError, NotFound } from '../shared/errors.js';
import type { ReceivedOutcome, RegisterAttestation, RegisterStore } from './registerStore.js';
import type { ReplicaKeys } from './replicaKeys.js';

type OutcomesReport = z.infer<typeof outcomesReportSchema>;

export const OUTCOME_ACTION = 'outcome.receive';

export class OutcomeService {
  constructor(
    private readonly store: RegisterStore,
    private readonly keys: ReplicaKeys,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Verifies every outcome of the report, then keeps each; answers how far the replica's outcomes are held. */
  async receive(report: OutcomesReport, sender: string): Promise<{ replica: string; acknowledged: number; accepted: number }> {
    const outcomes = report.outcomes as SignedOutcome[];
    const replica = outcomes[0]!.outcome.replica;
    if (outcomes.some((o) => o.outcome.replica !== replica)) throw new ErxError(400, 'a report carries the outcomes of one replica only', 'outcomes');
    const trusted = this.keys.keysFor(replica, report.keys);
    if (!trusted) {
      throw new ErxError(403, `replica "${replica}" is not trusted to report outcomes: an operator trusts its audit key with \`erx register trust-replica ${replica} --keys FILE\` (FILE from \`erx audit key export\` on the replica)`, 'outcomes');
    }
    for (const [i, o] of outcomes.entries()) {
      const problem = outcomeSignatureProblem(o, trusted);
      if (problem) throw new ErxError(403, `outcome ${o.outcome.n} of replica "${replica}" is refused: ${problem}`, `outcomes.${i}`);
    }
    let accepted = 0;
    for (const o of outcomes) if (await this.keep(o, sender)) accepted++;
    return { replica, acknowledged: await this.store.outcomesAcknowledged(replica), accepted };
  }

  /** Keeps one verified outcome; false when it was held already (a resend). */
  private keep(signed: SignedOutcome, sender: string): Promise<boolean> {
    const o = signed.outcome;
    return this.store.transaction(async (tx) => {
      const held = await tx.getOutcome(o.replica, o.n);
      if (held) {
        if (sameValue(held.signed, signed)) return false;
        throw new Conflict(`outcome ${o.n} of replica "${o.replica}" was received before with other content: refused (a replay or a forgery)`, 'outcomes');
      }
      const same = await tx.outcomeOfScreening(o.replica, o.screeningId);
      if (same) throw new Conflict(`screening ${o.screeningId} of replica "${o.replica}" already has outcome ${same.signed.outcome.n}: refused (one outcome per screening)`, 'outcomes');
      const personIds = [...new Set([...o.hits.map((h) => h.personId), ...(o.attestation?.personIds ?? [])])].sort();
      const received: ReceivedOutcome = { signed, receivedAt: this.now().toISOString(), personIds };
      await tx.putOutcome(received);
      const changes: number[] = [];
      if (o.attestation) {
        if (await tx.getAttestation(o.attestation.ref)) throw new Conflict(`attestation ${o.attestation.ref} exists already: refused`, 'outcomes');
        const attestation: BorderAttestation = { ...o.attestation, checkpoint: o.checkpoint, attestedAt: o.recordedAt };
        await tx.putAttestation({ attestation, replica: o.replica, screeningId: o.screeningId });
        changes.push(await tx.appendChange('attestation', attestation.ref, attestation));
        await tx.audit({ actor: `replica:${o.replica}`, action: 'attestation.create', subject: attestation.ref, detail: { personIds: attestation.personIds, checkpoint: o.checkpoint, screeningId: o.screeningId, changes } });
      }
      await tx.audit({
        actor: `replica:${o.replica}`,
        action: OUTCOME_ACTION,
        subject: o.screeningId,
        detail: { n: o.n, outcome: o.outcome, decision: o.decision, checkpoint: o.checkpoint, personIds, restrictions: o.hits.map((h) => h.restrictionId), relayedBy: sender, keyId: signed.keyId, ...(o.attestation ? { attestation: o.attestation.ref } : {}) },
      });
      return true;
    });
  }

  /** The operator revokes a confirmed non-match: kept for the record, removed from every replica. */
  revoke(ref: string, actor: string): Promise<{ ref: string; revokedAt: string; changes: number[] }> {
    return this.store.transaction(async (tx) => {
      const held = await tx.getAttestation(ref);
      if (!held) throw new NotFound(`attestation ${ref} is not in the register`, 'ref');
      if (held.revokedAt) return { ref, revokedAt: held.revokedAt, changes: [] };
      const revoked: RegisterAttestation = { ...held, revokedAt: this.now().toISOString(), revokedBy: actor };
      await tx.putAttestation(revoked);
      const seq = await tx.appendChange('attestation', ref, null);
      await tx.audit({ actor, action: 'attestation.revoke', subject: ref, detail: { personIds: held.attestation.personIds, changes: [seq] } });
      return { ref, revokedAt: revoked.revokedAt!, changes: [seq] };
    });
  }
}
