/**
 * The register's part of the web console: the built pages, which side this is, who follows the feed
 * (GET /v1/exchange/followers), whether a restriction's change reached them (GET /v1/restrictions/:id/reach)
 * and a person's full history (GET /v1/persons/:id/history).
 * Mounted by app/register/createRegister.ts with one call.
 */
import type { FastifyInstance } from 'fastify';
import { idParam } from '../api/fields.js';
import { followersAnswer } from '../api/followers.js';
import { personHistoryAnswer } from '../api/persons.js';
import { reachAnswer, reachQuery } from '../api/reach.js';
import type { RegisterStore } from '../register/registerStore.js';
import { NotFound } from '../shared/errors.js';
import { type AuthGate, route } from '../auth/route.js';
import { allowCrossOriginReads, serveConsoleAssets } from './assets.js';
import { consoleConfigRoute, peerFromEnv } from './config.js';
import { FollowerRegistry, watchFeed } from './followers.js';
import { personHistory } from './history.js';
import { newestChangeOf, reachOf } from './reach.js';

export interface RegisterConsoleOptions {
  /** The border replica's URL as browsers reach it, for links and its public status (--console-peer; default: ERX_CONSOLE_PEER). The console trusts no other. */
  peerUrl?: string;
}

export async function registerConsole(app: FastifyInstance, gate: AuthGate, store: RegisterStore, options: RegisterConsoleOptions = {}): Promise<FollowerRegistry> {
  const peerUrl = options.peerUrl?.replace(/\/+$/, '') ?? peerFromEnv();
  await serveConsoleAssets(app, peerUrl);
  allowCrossOriginReads(app, ['/v1/register/status', '/v1/console/config']);
  consoleConfigRoute(app, gate, 'register', peerUrl);

  const followers = new FollowerRegistry();
  watchFeed(app, gate, followers);
  route(
    app,
    gate,
    { method: 'GET', url: '/v1/exchange/followers', summary: "Who follows the feed: each client's cursor, lag, last contact; and the change log's size", tags: ['exchange', 'console'], access: ['operator', 'auditor'], response: followersAnswer },
    async () => {
      const [registerSeq, oldestSeq] = [await store.headSeq(), await store.oldestSeq()];
      return {
        registerSeq,
        oldestSeq,
        logChanges: Math.max(0, registerSeq - oldestSeq + 1),
        time: new Date().toISOString(),
        followers: followers.list().map((f) => ({ ...f, lagChanges: Math.max(0, registerSeq - f.cursor) })),
      };
    },
  );

  route(
    app,
    gate,
    {
      method: 'GET',
      url: '/v1/persons/:id/history',
      summary: "A person's audit history: every recorded change to them or their restrictions, newest first, and the values each change replaced (versions)",
      tags: ['register', 'console'],
      access: ['office', 'operator', 'auditor'],
      params: idParam,
      response: personHistoryAnswer,
    },
    async ({ params }) => {
      const person = await store.getPerson(params.id);
      if (!person) throw new NotFound(`person ${params.id} is not in the register`, 'id');
      return { personId: params.id, ...(await personHistory(store, params.id, await store.restrictionsOf(params.id))) };
    },
  );
  route(
    app,
    gate,
    {
      method: 'GET',
      url: '/v1/restrictions/:id/reach',
      summary: "How many following replicas have applied a restriction's newest change (a lift reaching the border)",
      tags: ['register', 'console'],
      access: ['office', 'operator', 'auditor'],
      params: idParam,
      query: reachQuery,
      response: reachAnswer,
    },
    async ({ params, query }) => {
      if (!(await store.getRestriction(params.id))) throw new NotFound(`restriction ${params.id} is not in the register`, 'id');
      const seq = query.seq ?? (await newestChangeOf(store, params.id));
      return reachOf(params.id, seq, await store.headSeq(), followers.list());
    },
  );
  return followers;
}
