/**
 * Transparency and notification routes of the register: GET /v1/statistics (public, cached briefly:
 * the figures are aggregates and a flood of requests must not turn into a flood of GROUP BYs) and
 * GET /v1/notifications/status (operations).
 */
import type { FastifyInstance } from 'fastify';
import { noticeStatusAnswer } from '../api/notices.js';
import { type StatisticsAnswer, statisticsAnswer } from '../api/statistics.js';
import { type AuthGate, route } from '../auth/route.js';
import type { NoticeChannel } from '../domain/notice.js';
import type { RegisterStore } from './registerStore.js';
import type { ReliefTimes } from './reliefTimes.js';
import { gatherStatistics, STATISTICS_SOURCES, type StatisticsSource, suppressStatistics } from './statistics.js';

export const STATISTICS_CACHE_MS = 30_000;

export interface TransparencyOptions {
  store: RegisterStore;
  relief: ReliefTimes;
  channels: NoticeChannel[];
  sources?: StatisticsSource[];
  cacheMs?: number;
}

export function registerTransparencyRoutes(app: FastifyInstance, gate: AuthGate, o: TransparencyOptions): void {
  const cacheMs = o.cacheMs ?? STATISTICS_CACHE_MS;
  let cached: { at: number; answer: Promise<StatisticsAnswer> } | null = null;
  route(
    app,
    gate,
    { method: 'GET', url: '/v1/statistics', summary: 'Aggregated figures: restrictions imposed and lifted by kind and office, time to relief at the border; cells under 10 suppressed', tags: ['transparency'], access: 'public', response: statisticsAnswer },
    async ({ reply }) => {
      const now = Date.now();
      if (!cached || now - cached.at >= cacheMs) {
        const answer = gatherStatistics({ store: o.store, relief: o.relief }, o.sources ?? STATISTICS_SOURCES).then((raw) => suppressStatistics(raw));
        cached = { at: now, answer };
        answer.catch(() => (cached = null));
      }
      reply.header('cache-control', `public, max-age=${Math.floor(cacheMs / 1000)}`);
      return cached.answer;
    },
  );
  route(
    app,
    gate,
    { method: 'GET', url: '/v1/notifications/status', summary: 'The notification outbox: pending, given up (failed) and delivered notices', tags: ['operations'], access: ['operator', 'auditor'], response: noticeStatusAnswer },
    async () => ({ ...(await o.store.notices.counts()), channels: o.channels }),
  );
}
