/**
 * The routes only a replica's writer can answer, for requests that reach another worker (workers.ts):
 * the onward feed for tiers (/v1/exchange/…: its relay and long-polls live beside the follower), the
 * audit heads and the witness (/v1/audit/…: the signer and the witness database are the writer's) and
 * an on-demand digest comparison (POST /v1/border/verify, which repairs through the follower); and the
 * parts of due process whose work runs beside the follower: an outcome of a screening (the reverse
 * channel's pusher is the writer's) and contests (forwarded upstream with the writer's feed token).
 * Carriers' manifests are not among them: every worker screens and stores them in the shared manifest
 * store, and the writer re-screens and delivers from that store (app/border/manifests.ts).
 *
 * The writer also listens on a loopback port of its own, through the same Fastify app (every hook,
 * auth included); another worker passes such a request through to it unparsed and streams the answer
 * back, so the writer checks the token and the body exactly as if it had taken the connection itself,
 * and a long-poll or a snapshot streams as it would. Hand-written over node:http rather than a proxy
 * plugin: it is one pass-through of a few routes between two processes of the same service.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** What a worker passes to the writer: path prefixes, or patterns, matched against the URL's path. */
export const WRITER_ROUTES: readonly (string | RegExp)[] = ['/v1/exchange/', '/v1/audit/', '/v1/border/verify', '/v1/contests', /^\/v1\/screenings\/[^/]+\/outcome$/];

const routeMatches = (path: string) => (r: string | RegExp) => (typeof r === 'string' ? path === r || path.startsWith(r) : r.test(path));

/** Hop-by-hop headers a pass-through must not forward (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/** The writer's side: the app, also on a loopback port (plain HTTP: the bytes never leave the machine). */
export async function listenForWorkers(app: FastifyInstance): Promise<{ url: string; close(): Promise<void> }> {
  await app.ready();
  const server = createServer((req, res) => app.routing(req, res));
  // exclusive: a cluster worker's listen(0) is otherwise shared through the primary, keyed by its order
  // among the worker's listens — this loopback port would then be handed the service's own connections
  // (a plain-HTTP answer on the HTTPS port, seen with --port 0).
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Another worker's side: requests for the writer's routes go to `writerUrl()` before they are parsed. */
export function passToWriter(app: FastifyInstance, writerUrl: () => string | null, routes: readonly (string | RegExp)[] = WRITER_ROUTES): void {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (!routes.some(routeMatches(path))) return;
    const target = writerUrl();
    if (!target) {
      await reply.code(503).header('retry-after', '1').send({ error: "this replica's writer is starting; try again shortly" });
      return;
    }
    reply.hijack();
    const out = reply.raw;
    const upstream = request(target + req.url, { method: req.method, headers: forwardable(req.headers) }, (res) => {
      out.writeHead(res.statusCode ?? 502, forwardable(res.headers));
      res.pipe(out);
    });
    upstream.on('error', () => {
      if (out.headersSent) {
        out.destroy();
        return;
      }
      out.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
      out.end(JSON.stringify({ error: "this replica's writer is restarting; try again shortly" }));
    });
    out.on('close', () => upstream.destroy());
    req.raw.pipe(upstream);
  });
}
