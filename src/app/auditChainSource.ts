/**
 * Reading a service's audit chain through a connection of its own. The interface and its error live in
 * chainStorage.ts; the implementations, one per backend, in store/ (openAuditChain picks one). This
 * file only keeps the names others import until their imports move (the composition layer opens chains).
 */
export { type AuditChain, AuditChainMissing, type AuditService } from '../audit/chainStorage.js';
export { type ChainLocation, openAuditChain, sqliteTrailFile } from '../store/openAuditChain.js';
