/**
 * The console's own view of the API's answers. The answers' shapes are not declared here: they are
 * inferred from the zod schemas in src/api (imported as `@api/…`, types only, so no zod reaches the
 * browser bundle) — the same schemas the servers validate with and the OpenAPI document shows. What
 * stays here is what only the console needs: how it groups a screening's reasons for display.
 */
import type { DamagedReason, ScreeningReason, StaleReason as DataTooOld, RuleReason } from '@api/screening';

/** Either reason the replica cannot vouch for its answer: its data is too old, or its database is damaged (then every answer is a refer). */
export type StaleReason = DataTooOld | DamagedReason;

export const isStale = (r: ScreeningReason): r is StaleReason => 'kind' in r && (r.kind === 'replica-data-too-old' || r.kind === 'replica-database-damaged');
export const isRule = (r: ScreeningReason): r is RuleReason => 'source' in r && r.source === 'rule';
