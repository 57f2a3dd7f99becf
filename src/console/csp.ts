/**
 * The Content-Security-Policy of every HTML page a service serves — the console's pages and the
 * OpenAPI page at /docs. A page loads scripts and styles only from its own origin, may not be framed,
 * and may connect only to its own origin and to the one peer service the operator configured (the
 * register a replica follows, the replica a register's console names with --console-peer): a token the
 * page holds can go nowhere else, whatever a link or a script injected into the page asks for.
 */
import type { FastifyInstance } from 'fastify';

/** The origin of a configured peer URL, or null when there is none (or it is not http(s)). */
export function peerOrigin(peerUrl: string | null | undefined): string | null {
  if (!peerUrl) return null;
  try {
    const u = new URL(peerUrl);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

export function contentSecurityPolicy(peerUrl: string | null): string {
  const peer = peerOrigin(peerUrl);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${peer ? ` ${peer}` : ''}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** Every text/html answer of this service gets the policy (and no referrer, no type sniffing). */
export function protectHtmlPages(app: FastifyInstance, peerUrl: string | null): void {
  const policy = contentSecurityPolicy(peerUrl);
  app.addHook('onSend', async (_req, reply, payload) => {
    if (/^text\/html\b/i.test(String(reply.getHeader('content-type') ?? ''))) {
      reply.header('content-security-policy', policy).header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
    }
    return payload;
  });
}
