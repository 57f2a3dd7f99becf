/**
 * Opening a service's audit chain wherever it lives — SQLite in its data directory (the register's
 * `register.db`, a replica's `audit.db`) or a PostgreSQL schema — through a connection of its own
 * (audit/chainStorage.ts AuditChain). Picks the backend from the store setting.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AuditChain, AuditChainMissing, type AuditService } from '../audit/chainStorage.js';
import { postgresAuditChain } from './postgres/auditChainReader.js';
import { sqliteAuditChain } from './sqlite/auditChainReader.js';

export interface ChainLocation {
  dataDir: string;
  /** A postgres:// URL when the service keeps its database in PostgreSQL. */
  store?: string | undefined;
  service: AuditService;
}

/** The SQLite file holding a service's trail. */
export function sqliteTrailFile(dataDir: string, service: AuditService): string {
  return join(dataDir, service === 'register' ? 'register.db' : 'audit.db');
}

/** The PostgreSQL schema a service uses by default (as in store/postgres/index.ts). */
const DEFAULT_SCHEMA: Record<AuditService, string> = { register: 'erx_register', border: 'erx_border' };

export function openAuditChain(where: ChainLocation): AuditChain {
  if (where.store !== undefined && /^postgres(ql)?:\/\//i.test(where.store)) return postgresAuditChain(where.store, DEFAULT_SCHEMA[where.service]);
  const file = sqliteTrailFile(where.dataDir, where.service);
  if (!existsSync(file)) throw new AuditChainMissing(`${where.dataDir} holds no ${where.service === 'register' ? 'register database (register.db)' : 'replica audit (audit.db)'}`);
  return sqliteAuditChain(file, where.service === 'border');
}
