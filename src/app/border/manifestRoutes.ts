/**
 * The carriers' manifest API on a border replica (docs/manifests.md): a carrier posts a manifest (JSON,
 * or a PAXLST message as application/edifact) and reads its own back, with what changed; it registers a
 * webhook for changes. Checkpoints, auditors and operators read a manifest's full reasons. A carrier
 * asking for another carrier's manifest gets the 404 a missing one gets, so ids cannot be probed.
 */
import type { FastifyInstance } from 'fastify';
import { borderManifestAnswer, MAX_MANIFEST_TRAVELLERS, manifestAnswer, manifestParams, manifestQuery, manifestRequestSchema, webhookAnswer, webhookRequestSchema } from '../../api/manifests.js';
import { requesterOf } from '../../audit/requester.js';
import type { ManifestService } from '../../border/manifests/manifestService.js';
import type { ManifestStore } from '../../border/manifests/manifestStore.js';
import { parsePaxlst } from '../../border/manifests/paxlst.js';
import { newWebhookSecret } from '../../border/manifests/webhookSignature.js';
import { type AuthGate, route } from '../../auth/route.js';
import type { Principal } from '../../auth/roles.js';
import { ErxError } from '../../shared/errors.js';
import { parse } from '../../shared/http.js';

/** A 1,000-traveller manifest is about 250 KB as JSON or PAXLST; the limit leaves room and no more. */
export const MANIFEST_BODY_LIMIT = 1024 * 1024;
export const EDIFACT_TYPE = 'application/edifact';

/** The manifest a request carries, whichever way it was sent, validated by the one JSON schema. */
export function manifestOfBody(body: unknown, principal: Principal | null) {
  let candidate: unknown = body;
  if (typeof body === 'string') {
    const paxlst = parsePaxlst(body);
    candidate = { ...paxlst, carrier: paxlst.carrier ?? principal?.carrier };
  } else if (body && typeof body === 'object' && Array.isArray((body as { travellers?: unknown }).travellers) && (body as { travellers: unknown[] }).travellers.length > MAX_MANIFEST_TRAVELLERS) {
    throw new ErxError(413, `travellers: a manifest may list at most ${MAX_MANIFEST_TRAVELLERS} travellers (this one lists ${(body as { travellers: unknown[] }).travellers.length}); split it`, 'travellers');
  }
  const request = parse(manifestRequestSchema, candidate);
  if (principal?.carrier !== undefined && request.carrier !== principal.carrier) {
    throw new ErxError(403, `this token is for carrier ${principal.carrier}, but the manifest is carrier ${request.carrier}'s`, 'carrier');
  }
  return request;
}

export function registerManifestRoutes(app: FastifyInstance, gate: AuthGate, deps: { service: ManifestService; store: ManifestStore; onSubmitted?: () => void }): void {
  const { service, store } = deps;
  const tags = ['manifests'];
  // A PAXLST arrives as text; it is parsed (and refused, naming the segment) by the handler, after the token check.
  app.addContentTypeParser(EDIFACT_TYPE, { parseAs: 'string', bodyLimit: MANIFEST_BODY_LIMIT }, (_req, body, done) => done(null, body));

  route(
    app,
    gate,
    {
      method: 'POST',
      url: '/v1/manifests',
      summary: `Screen a carrier's passenger list before departure (JSON, or a PAXLST message as ${EDIFACT_TYPE}); answers board, check-at-border or do-not-board per traveller`,
      tags,
      access: ['carrier'],
      response: manifestAnswer,
      bodyLimit: MANIFEST_BODY_LIMIT,
    },
    async ({ req, reply, principal }) => {
      const request = manifestOfBody(req.body, principal);
      const answer = await service.submit(request, requesterOf(`carrier:${request.carrier}`, req.ip));
      const counts = Object.fromEntries(['board', 'check-at-border', 'do-not-board'].map((a) => [a, answer.travellers.filter((t) => t.answer === a).length]));
      // Counts only: a manifest names travellers, and the log keeps no personal data.
      req.log.info({ manifestId: answer.manifestId, carrier: answer.carrier, travellers: answer.travellers.length, ...counts }, 'manifest screened');
      reply.code(201);
      return answer;
    },
  );

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/manifests/:manifestId', summary: "A carrier's manifest with its current answers (?since=VERSION: and what changed after it)", tags, access: ['carrier'], params: manifestParams, query: manifestQuery, response: manifestAnswer },
    async ({ params, query, principal }) => service.forCarrier(params.manifestId, principal ? (principal.carrier ?? '') : null, query.since),
  );

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/manifests/:manifestId/reasons', summary: "A manifest as the border sees it: every traveller's screening with its reasons, and every change", tags, access: ['checkpoint', 'auditor', 'operator'], params: manifestParams, response: borderManifestAnswer },
    async ({ params }) => service.forBorder(params.manifestId),
  );

  route(
    app,
    gate,
    { method: 'PUT', url: '/v1/carriers/webhook', summary: "Where a carrier's changed answers are sent; the signing secret is answered once", tags, access: ['carrier'], body: webhookRequestSchema, response: webhookAnswer },
    async ({ body, principal }) => {
      if (!principal?.carrier) throw new ErxError(400, 'a webhook belongs to a carrier: use a carrier token (erx auth token --role carrier --carrier ID)');
      const secret = newWebhookSecret();
      await store.setWebhook({ carrier: principal.carrier, url: body.url, secret });
      return { carrier: principal.carrier, url: body.url, secret, signature: 'HMAC-SHA256 over "TIMESTAMP.BODY" with this secret: x-erx-signature: sha256=HEX, x-erx-timestamp: UNIX_SECONDS' };
    },
  );
}
