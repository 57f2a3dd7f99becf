/**
 * Declaring an HTTP route once: its zod schemas (which validate the request *and* become its OpenAPI
 * description), the roles it admits, its body limit, and its handler. Fastify's own validation is
 * switched off (createServer) so that zod is the single source of truth. The schemas themselves live
 * in src/api, where the web console reads the same ones. A route may declare the schema of its answer
 * too: the compiler then holds the handler to it, and the OpenAPI document shows it; the answer is
 * still sent as the handler made it (never filtered or re-shaped by Fastify's serializer).
 *
 * The token and role are checked in the route's onRequest hook, which Fastify runs before it reads a
 * byte of the body: a request that will be refused never has its body read or parsed (a 30 MB
 * unauthenticated import is answered 401 at once, and the connection closed: shared/http.ts). Each
 * route has its own body limit, small unless the route declares more.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Access, Principal } from './roles.js';
import { AuthError, verifyToken } from './tokens.js';
import { ErxError } from '../shared/errors.js';
import { parse } from '../shared/http.js';

export interface AuthGate {
  /** The service's token secret; null when authentication is switched off (local experiments). */
  secret: Uint8Array | null;
  /** Verifies a token with the service's current secret and revocation list (auth/serviceTokens.ts). */
  verify?(token: string): Promise<Principal>;
}

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined, R extends z.ZodType | undefined = undefined> {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  summary: string;
  tags: string[];
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  /** The answer (200): documented in OpenAPI and checked by the compiler against what the handler returns. */
  response?: R;
  /** Largest accepted body in bytes; default ROUTE_BODY_LIMIT (16 KiB). The 413 answer names it. */
  bodyLimit?: number;
  /** Route config for plugins (e.g. `rateLimit`). */
  config?: Record<string, unknown>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a handler may return: its declared answer, or a reply it sent itself (a status other than 200). */
type Answer<R> = R extends z.ZodType ? z.input<R> | FastifyReply : unknown;

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  principal: Principal | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** Every route declared, for the OpenAPI page and for the test that walks all routes with all roles. */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
  summary: string;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** A route's body limit unless it declares one: enough for any single-record request (a screening, a lift, a rule). */
export const ROUTE_BODY_LIMIT = 16 * 1024;

/** Who sent each request, as its route's onRequest hook found (before the body was read). */
const principals = new WeakMap<FastifyRequest, Principal | null>();

export function declaredRoutes(app: FastifyInstance): DeclaredRoute[] {
  return declared.get(app) ?? [];
}

/** As a request accepts it; for an answer, this leaves its objects open (an answer may carry more than it declares). */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** Sends an answer as the handler made it: JSON.stringify, as for a route without a response schema. */
const asIs = () => (data: unknown) => JSON.stringify(data);

export async function authenticate(gate: AuthGate, access: Access, req: FastifyRequest): Promise<Principal | null> {
  if (access === 'public' || gate.secret === null) return null;
  const header = req.headers.authorization;
  const admits = access.join(', ');
  if (!header || !/^Bearer\s+\S+$/i.test(header)) {
    req.log.warn({ route: req.routeOptions.url, reason: 'no token' }, 'refused: unauthenticated');
    throw new ErxError(401, `this endpoint needs a bearer token (Authorization: Bearer …) for a role among: ${admits}; erx auth token --role ROLE --data DIR prints one`);
  }
  let principal: Principal;
  try {
    const token = header.replace(/^Bearer\s+/i, '');
    principal = await (gate.verify ? gate.verify(token) : verifyToken(gate.secret, token));
  } catch (err) {
    const reason = err instanceof AuthError ? err.message : 'token is not valid';
    req.log.warn({ route: req.routeOptions.url, reason }, 'refused: bad token');
    throw new ErxError(401, reason);
  }
  if (!access.includes(principal.role)) {
    req.log.warn({ route: req.routeOptions.url, role: principal.role, sub: principal.sub }, 'refused: role not admitted');
    throw new ErxError(403, `role ${principal.role} may not use ${req.method} ${req.routeOptions.url}; it admits: ${admits}`);
  }
  return principal;
}

export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(app: FastifyInstance, gate: AuthGate, spec: RouteSpec<B, Q, P, R>, handler: (input: RouteInput<Out<B>, Out<Q>, Out<P>>) => Promise<Answer<R>>): void {
  const list = declared.get(app) ?? [];
  list.push({ method: spec.method, url: spec.url, access: spec.access, summary: spec.summary });
  declared.set(app, list);
  const schema: Record<string, unknown> = {
    summary: spec.summary,
    tags: spec.tags,
    description: spec.access === 'public' ? 'No token needed.' : `Roles: ${spec.access.join(', ')}.`,
  };
  if (spec.access !== 'public') schema.security = [{ bearer: [] }];
  if (spec.body) schema.body = jsonSchema(spec.body);
  if (spec.query) schema.querystring = jsonSchema(spec.query);
  if (spec.params) schema.params = jsonSchema(spec.params);
  if (spec.response) {
    schema.response = { 200: { description: 'Success', ...jsonSchema(spec.response) } };
  }
  app.route({
    method: spec.method,
    url: spec.url,
    schema,
    bodyLimit: spec.bodyLimit ?? ROUTE_BODY_LIMIT,
    ...(spec.response ? { serializerCompiler: asIs } : {}),
    ...(spec.config ? { config: spec.config } : {}),
    // Before the body is read: a refused request costs a header check, never a parse.
    onRequest: async (req) => {
      principals.set(req, await authenticate(gate, spec.access, req));
    },
    handler: async (req, reply) => {
      // Never a silent pass: should the hook not have run, the check runs here.
      const principal = principals.has(req) ? (principals.get(req) ?? null) : await authenticate(gate, spec.access, req);
      return handler({
        body: (spec.body ? parse(spec.body, req.body) : undefined) as Out<B>,
        query: (spec.query ? parse(spec.query, req.query) : undefined) as Out<Q>,
        params: (spec.params ? parse(spec.params, req.params) : undefined) as Out<P>,
        principal,
        req,
        reply,
      });
    },
  });
}
