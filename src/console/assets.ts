/**
 * Serving the built web console (web/ → dist/web, built by `npm run build`) from a service, at
 * /console/…, with `/` redirecting there. The same bundle is served by the register and by a border
 * replica; the page asks GET /v1/console/config which side it is on and shows that side's pages.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { protectHtmlPages } from './csp.js';

/** Where `vite build` puts the console: dist/src/console/assets.js → dist/web. */
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');

/** The console's pages (client-side routes); each path answers with the same index.html. */
export const CONSOLE_PAGES = ['officer', 'self-check', 'operations', 'persons', 'import', 'contests'] as const;

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>erx console not built</title>
<body style="font-family:system-ui;max-width:40em;margin:3em auto;line-height:1.5">
<h1>The erx web console is not built</h1>
<p>This service found no built console in <code>${WEB_ROOT}</code>. Run <code>npm run build</code> (which
<code>npm install</code> and <code>npm start</code> do for you) and reload. The HTTP API works regardless: see
<a href="/docs">/docs</a>.</p></body></html>`;

const ASSETS = join(WEB_ROOT, 'assets');

export function consoleBuilt(): boolean {
  return existsSync(join(WEB_ROOT, 'index.html'));
}

/**
 * Registers `/`, `/console/` and every page path, and the hashed assets under /console/assets/. Every
 * HTML page of the service (these and /docs) gets a Content-Security-Policy that lets it connect only
 * to its own origin and to `peerUrl`, the other service as configured (csp.ts).
 */
export async function serveConsoleAssets(app: FastifyInstance, peerUrl: string | null): Promise<void> {
  protectHtmlPages(app, peerUrl);
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/'));
  if (!consoleBuilt()) {
    const notBuilt = async (_req: FastifyRequest, reply: FastifyReply) => reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    app.get('/console/', { schema: { hide: true } }, notBuilt);
    app.get('/console/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  // Encapsulated, so the reply.sendFile decorator does not meet the one the /docs page registers.
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: WEB_ROOT,
      prefix: '/console/',
      index: false,
      // Routes for the files that exist, so that any other /console/… path reaches the page below.
      wildcard: false,
      cacheControl: false,
      setHeaders(reply, path) {
        // Vite names assets by content hash, so they never change under the same name.
        reply.header('cache-control', path.startsWith(ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache');
        reply.header('x-content-type-options', 'nosniff');
      },
    });
    const page = async (_req: FastifyRequest, reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html'); // the policy: protectHtmlPages
    scope.get('/console/', { schema: { hide: true } }, page);
    scope.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/'));
    for (const name of CONSOLE_PAGES) scope.get(`/console/${name}`, { schema: { hide: true } }, page);
    // An unknown console address gets the console itself (404), which says so beside its navigation,
    // rather than the API's JSON error: a person who mistyped a link can still find their way.
    scope.get('/console/*', { schema: { hide: true } }, async (_req, reply) => reply.status(404).header('cache-control', 'no-cache').sendFile('index.html'));
  });
}

/**
 * Lets a console served by the other service read these public, read-only answers (a register's
 * operations page shows its replica's integrity, and the other way round). Nothing that needs a token
 * is opened to other origins.
 */
export function allowCrossOriginReads(app: FastifyInstance, urls: readonly string[]): void {
  const open = new Set(urls);
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'GET' && open.has(req.routeOptions.url ?? '')) reply.header('access-control-allow-origin', '*');
    return payload;
  });
}
