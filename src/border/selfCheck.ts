/**
 * A person checks their own status before travelling: document number and date of birth in, whether
 * an exit restriction applies to them out — on what basis, from which office, and how to contest it
 * or register a deferment — with the issuing office's contact details and time limit for contesting
 * where the register records them (protocol 5, entity `office`). Both values must match one listed person exactly, and the answer for "no
 * such person" is the same as for "nothing applies", so the page reveals nothing about anyone else.
 * Rate-limited per client address, so it cannot be used to search the register.
 *
 * Nor by its form or its timing: every answer has the same keys in the same order, and the same
 * lookups run whether nobody holds the document, someone else holds it (a wrong date of birth), or the
 * asker is listed without a restriction; the answer then waits until a floor (ANSWER_FLOOR_MS after the
 * request arrived), so what a lookup costs does not show in the response time.
 *
 * Category-wide rules are public law, so they are answered for anyone: with sex and nationality given,
 * the answer says which rules cover the person on today's date in the checkpoint's time zone, and
 * whether their own registered exemption releases them.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { selfCheckAnswer, selfCheckRequestSchema } from '../api/selfCheck.js';
import { dateRangeCovers } from '../domain/dates.js';
import { contestDeadline } from '../domain/offices.js';
import type { BorderOffice } from '../exchange/protocol.js';
import { isInForce } from '../domain/lifecycle.js';
import { localDate } from '../domain/rules.js';
import { RULE_DECISION, screenRules } from './ruleScreening.js';
import { attests, presentedDetailsOf } from '../exchange/attestation.js';
import { type AuthGate, route } from '../auth/route.js';
import type { ReplicaStore } from './replicaStore.js';

const HOW_TO_CONTEST =
  'To contest a restriction, apply to the issuing office named here, or to a court, within the time the notice states; ' +
  'to register a deferment or exemption, bring its evidence (certificate, decision) to your military commissariat or the issuing office. ' +
  'A lift or deferment recorded there reaches every checkpoint within seconds.';

/** No answer leaves before this many milliseconds after its request arrived (well above a lookup's cost). */
export const ANSWER_FLOOR_MS = 40;

/** The issuing office as the answer shows it: its record when the replica holds one, its code alone otherwise. */
function officeOf(id: string, record: BorderOffice | undefined) {
  if (!record) return { id, recorded: false };
  const { name, address, phone, email, web, hours } = record;
  return { id, recorded: true, name, address, ...(phone ? { phone } : {}), ...(email ? { email } : {}), ...(web ? { web } : {}), ...(hours ? { hours } : {}) };
}

function contestOf(inForceFrom: string, record: BorderOffice | undefined) {
  if (!record) return { how: HOW_TO_CONTEST };
  const deadline = contestDeadline(inForceFrom, record.contestDays);
  return { how: record.howToContest, ...(deadline && record.contestDays ? { deadline, deadlineDays: record.contestDays } : {}) };
}

/** An id no person has: when nobody matched, the same lookups run with it. */
const NOBODY = '(nobody)';

/** The answer's shape is the HTTP API's (src/api/selfCheck.ts). */
type SelfCheckAnswer = z.input<typeof selfCheckAnswer>;

/** The one shape of every answer, its keys always in this order. */
function answer(a: SelfCheckAnswer): SelfCheckAnswer {
  return { restricted: a.restricted, restrictions: a.restrictions, deferments: a.deferments, rules: a.rules, checkedAt: a.checkedAt, howToContest: a.howToContest, confirmedNonMatch: a.confirmedNonMatch };
}

async function waitUntil(startedAt: number, floorMs: number): Promise<void> {
  const left = startedAt + floorMs - performance.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
}

export async function registerSelfCheck(
  app: FastifyInstance,
  gate: AuthGate,
  store: ReplicaStore,
  perMinute = 10,
  timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
  floorMs = ANSWER_FLOOR_MS,
): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    // Thrown by the plugin, answered by the service's error handler as {error: message}.
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`too many requests: at most ${perMinute} self-checks a minute from one address; try again in ${Math.ceil(ctx.ttl / 1000)} s`), { statusCode: 429 }),
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
      body: selfCheckRequestSchema,
      response: selfCheckAnswer,
      config: { rateLimit: { max: perMinute, timeWindow: 60_000 } },
    },
    async ({ body }) => {
      const startedAt = performance.now();
      const now = new Date();
      const candidates = await store.byDocument(body.documentNumber.toUpperCase());
      const me = candidates.filter((p) => p.dateOfBirth === body.dateOfBirth);
      // The same two lookups whoever asks; only a match of both values makes them the asker's.
      const id = me.length === 1 ? me[0]!.personId : NOBODY;
      const found = await store.getPerson(id);
      const held = await store.restrictionsOf([id]);
      // Read whoever asks (one cached read of a few rows), so a found restriction costs no extra lookup.
      const offices = new Map((await store.offices()).map((o) => [o.officeId, o]));
      const person = me.length === 1 ? found : undefined;
      const rules = screenRules({
        rules: await store.rules(),
        traveller: { dateOfBirth: body.dateOfBirth, ...(body.sex ? { sex: body.sex } : {}), ...(body.nationality ? { nationality: body.nationality } : {}) },
        matches: person ? [{ personId: person.personId, score: 1, matchedOn: ['documentNumber', 'dateOfBirth'], features: [], detail: '' }] : [],
        persons: new Map(person ? [[person.personId, person]] : []),
        hitThreshold: 1,
        crossingDate: localDate(now, timeZone),
        at: now,
      }).map((r) => ({ ruleId: r.ruleId, version: r.ruleVersion, title: r.title, basis: r.basis, authority: r.authority, status: r.status, applies: RULE_DECISION[r.status] !== 'clear', detail: r.detail }));
      const ruleApplies = rules.some((r) => r.applies);
      const restrictions = (person ? held : []).map((r) => {
        const deferment = r.kind === 'call-up' ? person!.deferments.find((d) => dateRangeCovers(d.validFrom, d.validTo, now)) : undefined;
        const inForce = isInForce({ inForceFrom: r.inForceFrom, ...(r.liftedAt ? { liftedAt: r.liftedAt } : {}), ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}) }, now);
        return {
          restrictionId: r.restrictionId,
          kind: r.kind,
          basis: r.basis,
          office: officeOf(r.office, offices.get(r.office)),
          contest: contestOf(r.inForceFrom, offices.get(r.office)),
          inForceFrom: r.inForceFrom,
          applies: inForce && !deferment,
          status: !inForce ? (r.liftedAt ? `lifted ${r.liftedAt}` : r.expiresAt && Date.parse(r.expiresAt) <= now.getTime() ? `expired ${r.expiresAt}` : `in force from ${r.inForceFrom}`) : deferment ? `deferred: ${deferment.category} until ${deferment.validTo}` : 'in force',
        };
      });
      // The attestations are read whoever asks (and whatever the reference): the cost does not tell them apart.
      const attestations = await store.attestations();
      const named = body.reference ? attestations.find((a) => a.ref === body.reference) : undefined;
      const details = body.reference ? presentedDetailsOf({ ...body, documentNumber: body.documentNumber.toUpperCase() }) : null;
      const confirmed = named && details && attests(named, details) ? named : undefined;
      const result = answer({
        restricted: restrictions.some((r) => r.applies) || ruleApplies,
        restrictions,
        deferments: person?.deferments ?? [],
        rules,
        checkedAt: now.toISOString(),
        howToContest: HOW_TO_CONTEST,
        confirmedNonMatch: confirmed
          ? { reference: confirmed.ref, checkpoint: confirmed.checkpoint, attestedAt: confirmed.attestedAt, detail: `confirmed not the listed person you were mistaken for (ref ${confirmed.ref}, ${confirmed.checkpoint}, ${confirmed.attestedAt.slice(0, 10)}): checkpoints screening this document with these details clear you of that person` }
          : null,
      });
      await waitUntil(startedAt, floorMs);
      return result;
    },
  );
}
