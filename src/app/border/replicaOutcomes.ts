/**
 * The replica's side of the reverse channel (issue #18), composed: the officer's outcome route, the
 * outcome service signing with this replica's audit key, the pusher that sends outcomes upstream, and —
 * on a centre serving the feed onward — the relay of its checkpoints' outcomes to the register.
 *
 * A centre forwards synchronously rather than storing and forwarding: each checkpoint keeps its own
 * outbox and acknowledgement, and the centre answers with the register's own acknowledgement, so an
 * outcome is acknowledged only once the register holds it, and a centre holds nothing it could lose.
 */
import type { FastifyInstance } from 'fastify';
import { outcomeAnswer, outcomeRequestSchema, outcomesAck, outcomesReportSchema, screeningIdParams } from '../../api/outcomes.js';
import { openAuditKeys } from '../../audit/auditKeys.js';
import { type AuthGate, route } from '../../auth/route.js';
import { OutcomeService } from '../../border/outcomes.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import { OutcomePusher } from '../../border/sync/outcomePusher.js';
import { ErxError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { replicaAuditName } from '../auditHeads.js';

/** Same as the register's limit for a report (register/outcomeRoutes.ts). */
const OUTCOMES_BODY_LIMIT = 1024 * 1024;

export interface ReplicaOutcomesOptions {
  dataDir: string;
  registerUrl: string;
  token?: string | undefined;
  /** A centre: relays its checkpoints' reports to its own upstream. */
  relaying: boolean;
  log: Logger;
}

export function serveReplicaOutcomes(app: FastifyInstance, gate: AuthGate, store: ReplicaStore, options: ReplicaOutcomesOptions): { close(): Promise<void> } {
  const keys = openAuditKeys(options.dataDir);
  const pusher = new OutcomePusher({ store, upstreamUrl: options.registerUrl, token: options.token, keys: () => keys.all(), log: options.log });
  const outcomes = new OutcomeService({ store, signer: keys, replica: replicaAuditName(options.token), onRecorded: () => pusher.kick() });
  const tags = ['border'];

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/screenings/:screeningId/outcome', summary: 'Record what came of a hit or refer (one per screening, by the checkpoint that screened)', tags, access: ['checkpoint'], params: screeningIdParams, body: outcomeRequestSchema, response: outcomeAnswer },
    async ({ params, body, principal }) => outcomes.record(params.screeningId, body, principal),
  );

  if (options.relaying) {
    const upstream = options.registerUrl.replace(/\/+$/, '') + '/v1/outcomes';
    route(
      app,
      gate,
      { method: 'POST', url: '/v1/outcomes', summary: "A checkpoint's signed outcomes, relayed to the register as they are (the register's answer is returned)", tags, access: ['checkpoint'], body: outcomesReportSchema, response: outcomesAck, bodyLimit: OUTCOMES_BODY_LIMIT },
      async ({ body, reply }) => {
        let res: Response;
        try {
          res = await fetch(upstream, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
        } catch (err) {
          throw new ErxError(503, `the register cannot be reached to take these outcomes (${(err as Error).message}); the checkpoint keeps them and sends them again`);
        }
        const answer = (await res.json().catch(() => ({ error: `the register answered ${res.status}` }))) as object;
        return reply.code(res.status).send(answer);
      },
    );
  }

  pusher.start();
  return { close: () => pusher.stop() };
}
