/**
 * The two operations probes every service answers: `/healthz` (the process is alive) and `/readyz`
 * (it should get traffic). What "ready" means is each service's own rule (app/border/replicaReadiness.ts,
 * app/register/registerReadiness.ts); this only turns the answer into HTTP: 200, or 503 with the reason.
 */
import type { FastifyInstance } from 'fastify';

export type Readiness = ({ ready: true } & Record<string, unknown>) | { ready: false; reason: string };

export function registerProbes(app: FastifyInstance, readySummary: string, readiness: () => Promise<Readiness>): void {
  app.get('/healthz', { schema: { summary: 'Alive', tags: ['operations'] } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { summary: readySummary, tags: ['operations'] } }, async (_req, reply) => {
    const answer = await readiness();
    return answer.ready ? answer : reply.status(503).send(answer);
  });
}
