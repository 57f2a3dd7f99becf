/**
 * The audit-head routes of a service:
 *
 *  - `POST /v1/audit/heads` (border, checkpoint): a replica reports its signed heads to the service it
 *    follows, which keeps them as a witness (audit/witness.ts). Only where a witness runs: the register,
 *    and a centre serving its feed onward to checkpoints.
 *  - `GET /v1/audit/heads?sub=NAME` (auditor, operator): what the witness holds about a sender; without
 *    `sub`, this service's own signed heads and audit keys — how a monitor keeps copies of the heads of
 *    the register, which has nobody upstream to report to.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PublicKeyInfo } from '../exchange/keys.js';
import { NotFound } from '../shared/errors.js';
import { type AuthGate, route } from '../auth/route.js';
import type { LocalHeads } from './headsFile.js';
import { publicKeySchema, signedHeadSchema } from './signedHead.js';
import type { AuditWitness } from './witness.js';

/** The most heads one report may carry; a sender sends more in several. */
export const MAX_HEADS_PER_REPORT = 500;

export const headsReportSchema = z.strictObject({
  keys: z.array(publicKeySchema).max(16),
  heads: z.array(signedHeadSchema).min(1).max(MAX_HEADS_PER_REPORT),
});

export interface OwnHeads {
  service: string;
  heads: LocalHeads;
  keys(): PublicKeyInfo[];
}

export function registerAuditRoutes(app: FastifyInstance, gate: AuthGate, own: OwnHeads, witness: AuditWitness | null): void {
  const tags = ['audit'];
  if (witness) {
    route(
      app,
      gate,
      { method: 'POST', url: '/v1/audit/heads', summary: "Report this replica's signed audit heads, to be kept off its machine (idempotent)", tags, access: ['border', 'checkpoint'], body: headsReportSchema, bodyLimit: 1 << 20 },
      async ({ body, principal, req }) => {
        const sub = principal?.sub ?? body.heads[0]!.service;
        try {
          const { accepted, newest } = witness.receive(sub, body.keys, body.heads);
          if (accepted > 0) req.log.info({ sub, accepted, newestSeq: newest.seq }, 'witnessed audit heads');
          return { sub, accepted, newest };
        } catch (err) {
          req.log.warn({ sub, reason: (err as Error).message }, 'refused audit heads');
          throw err;
        }
      },
    );
  }
  route(
    app,
    gate,
    {
      method: 'GET',
      url: '/v1/audit/heads',
      summary: "Signed audit heads: those witnessed for a sender (sub), or this service's own",
      tags,
      access: ['auditor', 'operator'],
      query: z.object({
        sub: z.string().min(1).max(200).optional(),
        after: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
      }),
    },
    async ({ query }) => {
      if (query.sub === undefined) {
        const all = own.heads.readAll().heads.filter((h) => h.seq > query.after).slice(0, query.limit);
        return { service: own.service, keys: own.keys(), heads: all };
      }
      const held = witness?.about(query.sub, query.after, query.limit) ?? null;
      if (!held) throw new NotFound(witness ? `no audit heads were ever reported by "${query.sub}"` : 'this service keeps no heads of others (it is not a witness)', 'sub');
      return held;
    },
  );
}
