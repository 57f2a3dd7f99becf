/**
 * The public reaches erx through a border replica's console, so a replica answers the two public
 * contest routes too — by forwarding them upstream (to the register, or to its centre in tiers, which
 * forwards in turn) with its own token, synchronously. A replica holds no contest: the case number the
 * person is given is the register's, and when the upstream cannot be reached the person is told to try
 * again later (503) — never given a case number for a contest that was not filed.
 *
 * Limited per client address here like the self-check; a checkpoint forwarding through this replica
 * (its token) is not counted, the checkpoint limits its own callers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BIRTH_DATE_HEADER, caseNumberParam, contestCaseAnswer, contestIdentification, contestRequestSchema, DOCUMENT_HEADER, type ContestRequest } from '../api/contests.js';
import { type AuthGate, authenticate, route } from '../auth/route.js';
import { ErxError } from '../shared/errors.js';
import { firstError } from '../shared/fieldError.js';
import { ensureRateLimit, rateLimited } from '../shared/rateLimit.js';

/** What the upstream answered: its status and JSON body, passed on as they are. */
export interface UpstreamAnswer {
  status: number;
  body: unknown;
}

/** The port a replica forwards contests through (transport/http/httpContestUpstream.ts). */
export interface ContestUpstream {
  /** Throws ContestUpstreamUnreachable when no answer came (refused, timed out, not JSON, 5xx). */
  file(request: ContestRequest): Promise<UpstreamAnswer>;
  follow(caseNumber: string, documentNumber: string, dateOfBirth: string): Promise<UpstreamAnswer>;
}

export class ContestUpstreamUnreachable extends Error {}

export const FORWARDED_CONTESTS_PER_MINUTE = 10;

const TRY_LATER = 'the register cannot be reached just now, so nothing was filed or looked up; please try again later';

async function passOn(answer: () => Promise<UpstreamAnswer>): Promise<UpstreamAnswer> {
  try {
    return await answer();
  } catch (err) {
    if (err instanceof ContestUpstreamUnreachable) throw new ErxError(503, TRY_LATER);
    throw err;
  }
}

export async function registerContestForwarding(app: FastifyInstance, gate: AuthGate, upstream: ContestUpstream, perMinute = FORWARDED_CONTESTS_PER_MINUTE): Promise<void> {
  await ensureRateLimit(app);
  const tags = ['contests'];
  const exempt = async (req: FastifyRequest) => {
    if (!req.headers.authorization || gate.secret === null) return false;
    return authenticate(gate, ['checkpoint'], req).then(
      () => true,
      () => false,
    );
  };

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/contests', summary: 'A person contests a restriction they hold: forwarded to the register; rate-limited', tags, access: 'public', body: contestRequestSchema, response: contestCaseAnswer, config: rateLimited(perMinute, 'contests', exempt) },
    async ({ body, reply }) => {
      const answer = await passOn(() => upstream.file(body));
      return reply.status(answer.status).send(answer.body);
    },
  );

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/contests/:caseNumber', summary: 'A person follows their contest (Erx-Document-Number and Erx-Date-Of-Birth headers): forwarded to the register; rate-limited', tags, access: 'public', params: caseNumberParam, response: contestCaseAnswer, config: rateLimited(perMinute, 'contest look-ups', exempt) },
    async ({ params, req, reply }) => {
      const parsed = contestIdentification.safeParse({ documentNumber: req.headers[DOCUMENT_HEADER], dateOfBirth: req.headers[BIRTH_DATE_HEADER] });
      if (!parsed.success) {
        const e = firstError(parsed.error);
        throw new ErxError(400, `${e.error} (send it in the ${e.field === 'documentNumber' ? 'Erx-Document-Number' : 'Erx-Date-Of-Birth'} header)`, e.field);
      }
      const answer = await passOn(() => upstream.follow(params.caseNumber, parsed.data.documentNumber, parsed.data.dateOfBirth));
      return reply.status(answer.status).send(answer.body);
    },
  );
}
