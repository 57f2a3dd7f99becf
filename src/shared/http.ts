/** A Fastify server with the error shape every erx service answers with: `{error, field?}`. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { z } from 'zod';
import { firstError } from '../register/schemas.js';
import { BadInput, ErxError } from './errors.js';
import { createLogger } from './log.js';

export interface ServerOptions {
  name: string;
  description?: string;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
}

/** One log line per request, when it is answered, instead of Fastify's two (incoming, completed). */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * A Fastify server with erx's error shape, request ids, and its OpenAPI description at /openapi.json
 * and a browsable page at /docs. Routes must be added after this resolves (the OpenAPI plugin
 * collects them as they are declared).
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: createLogger(options.name) as FastifyBaseLogger,
    logController: new OneLinePerRequest(),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'].slice(0, 64) : crypto.randomUUID()),
    requestIdHeader: false,
  });
  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof ErxError) {
      return reply.status(err.status).send(err.field ? { error: err.message, field: err.field } : { error: err.message });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const message =
        e.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `request body is larger than ${app.initialConfig.bodyLimit} bytes`
          : e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Content-Type must be application/json'
            : e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
              ? 'request body is empty; send a JSON object'
              : (e.message ?? 'bad request');
      return reply.status(e.statusCode).send({ error: message });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'internal error; see the service log' });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
  // zod validates every request (shared/route.ts); route schemas only describe the API.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: `erx ${options.name}`, version: '0.1.0', description: options.description ?? '' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** Parses with zod or throws a 400 naming the first bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const { error, field } = firstError(result.error);
    throw new BadInput(error, field);
  }
  return result.data;
}

export function listeningLine(app: FastifyInstance): string {
  const address = app.server.address();
  if (address && typeof address === 'object') {
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `listening on http://${host}:${address.port}`;
  }
  return `listening on ${String(address)}`;
}

export type Reply = FastifyReply;
