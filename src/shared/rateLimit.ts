/**
 * Per-address rate limits for public routes, with @fastify/rate-limit. The plugin is registered once per
 * server (a second registration would add a second limiter to every later route); each route then sets
 * its own limit and its own words through `config: rateLimited(...)`.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export async function ensureRateLimit(app: FastifyInstance): Promise<void> {
  if (app.hasDecorator('rateLimit')) return;
  await app.register(rateLimit, { global: false });
}

/**
 * A route's `config`: at most `max` requests a minute from one address, answered 429 with `what` in the
 * words; requests `exempt` says yes to (e.g. a replica forwarding for its public) are not counted.
 */
export function rateLimited(max: number, what: string, exempt?: (req: FastifyRequest) => Promise<boolean>) {
  return {
    rateLimit: {
      max,
      timeWindow: 60_000,
      ...(exempt ? { allowList: (req: FastifyRequest) => exempt(req) } : {}),
      // Thrown by the plugin, answered by the service's error handler as {error: message}.
      errorResponseBuilder: (_req: FastifyRequest, ctx: { ttl: number }) =>
        Object.assign(new Error(`too many requests: at most ${max} ${what} a minute from one address; try again in ${Math.ceil(ctx.ttl / 1000)} s`), { statusCode: 429 }),
    },
  };
}
