/** The register's review routes (api/reviews.ts): restrictions due for review, and reviewing one. */
import type { FastifyInstance } from 'fastify';
import { idParam } from '../api/fields.js';
import { reviewAnswer, reviewBody, reviewsDueAnswer, reviewsDueQuery } from '../api/reviews.js';
import type { Principal } from '../auth/roles.js';
import { type AuthGate, route } from '../auth/route.js';
import { ErxError } from '../shared/errors.js';
import type { ReviewService } from './reviewService.js';

const actorOf = (p: Principal | null) => (p ? `${p.role}:${p.sub}${p.office ? `@${p.office}` : ''}` : 'anonymous (auth off)');

export function registerReviewRoutes(app: FastifyInstance, gate: AuthGate, reviews: ReviewService): void {
  const tags = ['register'];

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/reviews/due', summary: 'Open restrictions due for review within withinDays (default: the notice period), soonest first', tags, access: ['office', 'operator', 'auditor'], query: reviewsDueQuery, response: reviewsDueAnswer },
    async ({ query, principal }) => {
      const office = principal?.role === 'office' ? (principal.office ?? '(none)') : undefined;
      return { restrictions: await reviews.due({ ...(office !== undefined ? { office } : {}), ...(query.withinDays !== undefined ? { withinDays: query.withinDays } : {}), limit: query.limit }) };
    },
  );

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/restrictions/:id/review', summary: 'Review a restriction: it stays in force, its review deadline moves (to extendUntil, or one interval on)', tags, access: ['office', 'operator'], params: idParam, body: reviewBody, response: reviewAnswer },
    async ({ params, body, principal }) => {
      if (principal?.role === 'office' && !principal.office) throw new ErxError(403, 'this office token names no office; issue one with --office OFFICE');
      return reviews.review(params.id, body, actorOf(principal), principal?.role === 'office' ? principal.office : undefined);
    },
  );
}
