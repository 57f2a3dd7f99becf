/**
 * Reading a PostgreSQL audit chain (a service's schema) through a small pool of its own, for the head
 * signer and `erx audit verify`: it sees committed entries only. A missing table — the usual mistake,
 * a wrong schema or service — is said in words (AuditChainMissing).
 */
import type { AuditChain } from '../../audit/chainStorage.js';
import { AuditChainMissing } from '../../audit/chainStorage.js';
import { PostgresAuditTrail } from './auditTrail.js';
import { checkSchemaName, createPool, postgresLocation } from './db.js';

export function postgresAuditChain(url: string, defaultSchema: string): AuditChain {
  const location = postgresLocation(url, defaultSchema);
  const pool = createPool({ ...location, maxConnections: 2 }, 'erx-audit');
  const trail = new PostgresAuditTrail(pool, checkSchemaName(location.schema));
  const label = `PostgreSQL schema ${location.schema}`;
  const explain = (err: unknown): never => {
    if ((err as { code?: string }).code === '42P01') throw new AuditChainMissing(`${label} holds no audit trail (wrong --store schema, or --service?)`);
    throw err;
  };
  return {
    label,
    head: () => trail.head().catch(explain),
    hashAt: (seq) => trail.hashAt(seq).catch(explain),
    async *entries() {
      try {
        yield* trail.entries();
      } catch (err) {
        explain(err);
      }
    },
    async *between(from, to) {
      try {
        yield* trail.between(from, to);
      } catch (err) {
        explain(err);
      }
    },
    close: () => pool.end(),
  };
}
