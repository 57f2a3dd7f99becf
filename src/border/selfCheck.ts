/**
 * A person checks their own status before travelling: document number and date of birth in, whether
 * an exit restriction applies to them out — on what basis, from which office, and how to contest it
 * or register a deferment. Both values must match one listed person exactly, and the answer for "no
 * such person" is the same as for "nothing applies", so the page reveals nothing about anyone else.
 * Rate-limited per client address, so it cannot be used to search the register.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { dateRangeCovers, parsePartialDate } from '../domain/dates.js';
import { isInForce } from '../domain/lifecycle.js';
import { type AuthGate, route } from '../shared/route.js';
import type { ReplicaStore } from './store.js';

const HOW_TO_CONTEST =
  'To contest a restriction, apply to the issuing office named here, or to a court, within the time the notice states; ' +
  'to register a deferment or exemption, bring its evidence (certificate, decision) to your military commissariat or the issuing office. ' +
  'A lift or deferment recorded there reaches every checkpoint within seconds.';

const selfCheckBody = z.strictObject({
  documentNumber: z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'must be 1–20 letters or digits'),
  dateOfBirth: z.string().superRefine((s, ctx) => {
    const d = parsePartialDate(s);
    if (typeof d === 'string') ctx.addIssue({ code: 'custom', message: d });
    else if (d.day === undefined) ctx.addIssue({ code: 'custom', message: 'give the full date of birth, YYYY-MM-DD' });
  }),
});

export async function registerSelfCheck(app: FastifyInstance, gate: AuthGate, store: ReplicaStore, perMinute = 10): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: `too many self-checks from this address; try again in ${Math.ceil(ctx.ttl / 1000)} s` }),
  });
  route(
    app,
    gate,
    {
      method: 'POST',
      url: '/v1/self-check',
      summary: 'A person checks their own status (document number + date of birth); rate-limited',
      tags: ['self-check'],
      access: 'public',
      body: selfCheckBody,
      config: { rateLimit: { max: perMinute, timeWindow: 60_000 } },
    },
    async ({ body }) => {
      const now = new Date();
      const candidates = await store.byDocument(body.documentNumber.toUpperCase());
      const me = candidates.filter((p) => p.dateOfBirth === body.dateOfBirth);
      if (me.length !== 1) return { restricted: false, restrictions: [], deferments: [], checkedAt: now.toISOString(), howToContest: HOW_TO_CONTEST };
      const person = (await store.getPerson(me[0]!.personId))!;
      const restrictions = (await store.restrictionsOf([person.personId])).map((r) => {
        const deferment = r.kind === 'call-up' ? person.deferments.find((d) => dateRangeCovers(d.validFrom, d.validTo, now)) : undefined;
        const inForce = isInForce({ inForceFrom: r.inForceFrom, ...(r.liftedAt ? { liftedAt: r.liftedAt } : {}), ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}) }, now);
        return {
          restrictionId: r.restrictionId,
          kind: r.kind,
          basis: r.basis,
          office: r.office,
          inForceFrom: r.inForceFrom,
          applies: inForce && !deferment,
          status: !inForce ? (r.liftedAt ? `lifted ${r.liftedAt}` : r.expiresAt && Date.parse(r.expiresAt) <= now.getTime() ? `expired ${r.expiresAt}` : `in force from ${r.inForceFrom}`) : deferment ? `deferred: ${deferment.category} until ${deferment.validTo}` : 'in force',
        };
      });
      return {
        restricted: restrictions.some((r) => r.applies),
        restrictions,
        deferments: person.deferments,
        checkedAt: now.toISOString(),
        howToContest: HOW_TO_CONTEST,
      };
    },
  );
}
