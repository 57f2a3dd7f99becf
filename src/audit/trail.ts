/**
 * The audit trail: an append-only, hash-chained log of every mutation (register) and every screening
 * (border). The chain is pure (chain.ts); its storage is behind AuditTrailStorage (chainStorage.ts),
 * one implementation per backend (store/sqlite/auditTrail.ts, store/postgres/auditTrail.ts). This file
 * keeps the names others import until their imports move.
 */
export { type AuditEntry, ChainCheck, type ChainHead, entryHash, type NewAuditEntry, nextEntry, type VerifyResult } from './chain.js';
export { AUDIT_TABLE, AuditTrail } from '../store/sqlite/auditTrail.js';
export { auditEntryOf, type AuditRow } from '../store/auditRow.js';
