/**
 * The register's contest routes (api/contests.ts). The two public ones are rate-limited per address;
 * a border replica forwarding its public's requests (with its own token) is not counted here — it
 * limits its own callers by their address.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BIRTH_DATE_HEADER, caseNumberParam, contestAnswerBody, contestCaseAnswer, contestIdentification, contestListAnswer, contestListQuery, contestRequestSchema, DOCUMENT_HEADER } from '../api/contests.js';
import type { Principal } from '../auth/roles.js';
import { type AuthGate, authenticate, route } from '../auth/route.js';
import { ErxError } from '../shared/errors.js';
import { firstError } from '../shared/fieldError.js';
import { ensureRateLimit, rateLimited } from '../shared/rateLimit.js';
import { type ContestService, publicView } from './contestService.js';

/** Contests filed or followed a minute from one address. */
export const CONTESTS_PER_MINUTE = 10;

/** Roles whose tokens forward the public's contests (a border replica, a checkpoint through its centre). */
const FORWARDERS = ['border', 'checkpoint'] as const;

/** The principal a forwarding replica's token names, or null (the public itself, or no valid token). */
async function forwarder(gate: AuthGate, req: FastifyRequest): Promise<Principal | null> {
  if (!req.headers.authorization || gate.secret === null) return null;
  try {
    return await authenticate(gate, FORWARDERS, req);
  } catch {
    return null;
  }
}

/** The identification of a follow request, from its headers (never the URL: access logs keep URLs). */
export function identificationOf(req: FastifyRequest) {
  const parsed = contestIdentification.safeParse({ documentNumber: req.headers[DOCUMENT_HEADER], dateOfBirth: req.headers[BIRTH_DATE_HEADER] });
  if (!parsed.success) {
    const e = firstError(parsed.error);
    throw new ErxError(400, `${e.error} (send it in the ${e.field === 'documentNumber' ? 'Erx-Document-Number' : 'Erx-Date-Of-Birth'} header)`, e.field);
  }
  return parsed.data;
}

const actorOf = (p: Principal | null) => (p ? `${p.role}:${p.sub}${p.office ? `@${p.office}` : ''}` : 'anonymous (auth off)');

export async function registerContestRoutes(app: FastifyInstance, gate: AuthGate, contests: ContestService, perMinute = CONTESTS_PER_MINUTE): Promise<void> {
  await ensureRateLimit(app);
  const tags = ['contests'];
  const exempt = async (req: FastifyRequest) => (await forwarder(gate, req)) !== null;

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/contests', summary: 'A person contests a restriction they hold (document number + date of birth); rate-limited', tags, access: 'public', body: contestRequestSchema, response: contestCaseAnswer, config: rateLimited(perMinute, 'contests', exempt) },
    async ({ body, req, reply }) => {
      const via = await forwarder(gate, req);
      const contest = await contests.file(body, via ? `public via ${actorOf(via)}` : 'public');
      return reply.status(201).send(publicView(contest));
    },
  );

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/contests/:caseNumber', summary: 'A person follows their contest (identified by the Erx-Document-Number and Erx-Date-Of-Birth headers); rate-limited', tags, access: 'public', params: caseNumberParam, response: contestCaseAnswer, config: rateLimited(perMinute, 'contest look-ups', exempt) },
    async ({ params, req }) => {
      const who = identificationOf(req);
      return contests.follow(params.caseNumber, who.documentNumber, who.dateOfBirth);
    },
  );

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/contests', summary: 'Contests of restrictions (an office sees those of its own restrictions), with the open and overdue counts', tags, access: ['office', 'operator', 'auditor'], query: contestListQuery, response: contestListAnswer },
    async ({ query, principal }) => {
      const office = principal?.role === 'office' ? (principal.office ?? '(none)') : undefined;
      return contests.list({ ...(office !== undefined ? { office } : {}), ...(query.state ? { state: query.state } : {}), ...(query.overdue ? { overdue: query.overdue === 'true' } : {}), limit: query.limit });
    },
  );

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/contests/:caseNumber/answer', summary: 'The issuing office answers a contest: upheld (the restriction is lifted) or rejected, with reasons', tags, access: ['office', 'operator'], params: caseNumberParam, body: contestAnswerBody },
    async ({ params, body, principal }) => {
      if (principal?.role === 'office' && !principal.office) throw new ErxError(403, 'this office token names no office; issue one with --office OFFICE');
      const answered = await contests.answer(params.caseNumber, body, actorOf(principal), principal?.role === 'office' ? principal.office : undefined);
      return { ...answered, overdue: false };
    },
  );
}
