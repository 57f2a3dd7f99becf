/**
 * The replica's side of the audit: its chain's head signed on an interval and sent to the service it
 * follows (its witness), and — for a centre serving the feed onward — a witness of its own for the
 * heads its checkpoints send. Both behind /v1/audit (audit/auditRoutes.ts).
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_AUDIT_HEAD_EVERY_SECONDS, replicaAuditName, startAuditHeads } from '../auditHeads.js';
import { registerAuditRoutes } from '../../audit/auditRoutes.js';
import { AuditWitness } from '../../audit/witness.js';
import type { Logger } from '../../shared/log.js';
import type { AuthGate } from '../../auth/route.js';

export interface ReplicaAuditOptions {
  dataDir: string;
  /** Where the chain lives: a postgres:// URL, or undefined for SQLite in dataDir. */
  store: string | undefined;
  registerUrl: string;
  token?: string | undefined;
  everyMs: number | undefined;
  /** Keep a witness for checkpoints (a replica serving the feed onward). */
  witnessing: boolean;
  log: Logger;
}

export function serveReplicaAudit(app: FastifyInstance, gate: AuthGate, options: ReplicaAuditOptions): { close(): Promise<void> } {
  const auditHeads = startAuditHeads({
    dataDir: options.dataDir,
    store: options.store,
    service: 'border',
    name: replicaAuditName(options.token),
    everyMs: options.everyMs ?? DEFAULT_AUDIT_HEAD_EVERY_SECONDS * 1000,
    witness: { url: options.registerUrl, token: options.token },
    log: options.log,
  });
  const witness = options.witnessing ? new AuditWitness(options.dataDir) : null;
  registerAuditRoutes(app, gate, auditHeads.own, witness);
  return {
    /** Signs the final head and sends it, then closes the witness. */
    async close() {
      await auditHeads.close();
      witness?.close();
    },
  };
}
