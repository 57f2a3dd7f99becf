/**
 * A Fastify server with the error shape every erx service answers with: `{error, field?}`, and the
 * hardening every erx service shares: connection and request timeouts (a half-open or trickling
 * connection is closed), a small default body limit, a connection closed rather than drained when a
 * request is refused before its body was read, HTTPS when given a certificate, and a request log
 * line without the personal data a query string may carry.
 */
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { z } from 'zod';
import { firstError } from '../api/fieldError.js';
import { BadInput, ErxError } from './errors.js';
import { createLogger, loggableUrl } from './log.js';

/** PEM certificate (chain) and private key: the service answers HTTPS only. */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

/**
 * How long a connection may take. A long-poll (`/v1/exchange/changes`, ≤ 30 s of silence) and a
 * snapshot or image streamed for minutes are *responses*: only the idle bound applies to them.
 */
export interface HttpTimeouts {
  /** The request line and headers must have arrived within this (a half-open or trickling client). */
  headersMs: number;
  /** The whole request, body included, must have arrived within this. */
  requestMs: number;
  /**
   * A connection with no traffic either way is closed after this: well above the 30 s long-poll and a
   * slow verification's answer (half-open and trickling clients are bounded by headersMs/requestMs).
   */
  idleMs: number;
  /** A kept-alive connection waiting for its next request is closed after this. */
  keepAliveMs: number;
  /** How often the headers and request bounds are checked (Node's connectionsCheckingInterval). */
  checkEveryMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 120_000, idleMs: 300_000, keepAliveMs: 10_000, checkEveryMs: 1_000 };

/** The body limit of anything not declared through shared/route.ts (which sets one per route). */
export const SERVER_BODY_LIMIT = 16 * 1024;

export interface ServerOptions {
  name: string;
  description?: string;
  /** Largest accepted request body in bytes, for routes that declare none. */
  bodyLimit?: number;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsFiles;
  timeouts?: Partial<HttpTimeouts>;
}

/** "16 KiB (16,384 bytes)": a limit as a person reads it. */
export function describeBytes(n: number): string {
  const unit = n >= 1024 * 1024 ? `${+(n / (1024 * 1024)).toFixed(1)} MiB` : `${+(n / 1024).toFixed(1)} KiB`;
  return `${unit} (${n.toLocaleString('en-US')} bytes)`;
}

/** One log line per request, when it is answered, instead of Fastify's two (incoming, completed). */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: loggableUrl(request.url), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
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
  const t = { ...HTTP_TIMEOUTS, ...options.timeouts };
  // Node's own bounds: headers (checked every checkEveryMs, from the moment a connection opens) and the whole request.
  const nodeServer = { headersTimeout: t.headersMs, requestTimeout: t.requestMs, connectionsCheckingInterval: t.checkEveryMs };
  const app = Fastify({
    loggerInstance: createLogger(options.name) as FastifyBaseLogger,
    logController: new OneLinePerRequest(),
    bodyLimit: options.bodyLimit ?? SERVER_BODY_LIMIT,
    connectionTimeout: t.idleMs,
    keepAliveTimeout: t.keepAliveMs,
    requestTimeout: t.requestMs,
    http: nodeServer,
    ...(options.tls ? { https: { ...nodeServer, cert: options.tls.cert, key: options.tls.key } } : {}),
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
          ? `request body is larger than ${describeBytes(req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? SERVER_BODY_LIMIT)}, the limit of ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`
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
    // Answered before its body arrived (refused by the auth hook, or too large): close rather than read the rest.
    if (bodyStillComing(req)) {
      reply.header('connection', 'close');
      lingerThenClose(req.raw.socket);
    }
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

/** How long a connection refused mid-body is still read (and discarded) after its answer went out. */
const LINGER_MS = 1_000;

/**
 * Node ends a `connection: close` answer with destroySoon(), which closes the socket as soon as the
 * answer is written; a client still sending then gets a reset, and may lose the answer unread. A
 * lingering close instead sends the answer and the end of the stream, discards what the client still
 * sends for LINGER_MS (never buffered: Node dumps an unread request body), then closes.
 */
function lingerThenClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/** A request that announced a body the server has not received in full. */
function bodyStillComing(req: FastifyRequest): boolean {
  const h = req.raw.headers;
  const announced = (h['content-length'] !== undefined && h['content-length'] !== '0') || h['transfer-encoding'] !== undefined;
  return announced && !req.raw.complete;
}

export function listeningLine(app: FastifyInstance): string {
  const address = app.server.address();
  if (address && typeof address === 'object') {
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `listening on ${app.server instanceof TlsServer ? 'https' : 'http'}://${host}:${address.port}`;
  }
  return `listening on ${String(address)}`;
}

export type Reply = FastifyReply;
