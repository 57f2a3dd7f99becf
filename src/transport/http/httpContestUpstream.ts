/**
 * Forwarding the public's contests upstream over HTTP(S) (border/contestForwarding.ts), with the
 * replica's token and, given a CA (`--ca`), trusting that CA alone, as the feed does. Any answer that
 * is not the upstream's own decision — a refused connection, a timeout, a 5xx, a body that is not
 * JSON, a 429 of the upstream's limit — is "unreachable": the replica tells the person to try later.
 */
import { Agent, fetch } from 'undici';
import { BIRTH_DATE_HEADER, type ContestRequest, DOCUMENT_HEADER } from '../../api/contests.js';
import { type ContestUpstream, ContestUpstreamUnreachable, type UpstreamAnswer } from '../../border/contestForwarding.js';

/** A person waits at most this long for the register's answer (ms). */
export const CONTEST_FORWARD_TIMEOUT_MS = 10_000;

export class HttpContestUpstream implements ContestUpstream {
  private readonly base: string;
  private readonly dispatcher: Agent | undefined;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    tls: { ca?: string | Buffer } = {},
    private readonly timeoutMs = CONTEST_FORWARD_TIMEOUT_MS,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
    if (tls.ca !== undefined) this.dispatcher = new Agent({ connect: { ca: tls.ca } });
  }

  private async send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<UpstreamAnswer> {
    const h: Record<string, string> = { accept: 'application/json', 'x-request-id': crypto.randomUUID(), ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: h,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
    } catch (err) {
      throw new ContestUpstreamUnreachable(`${this.base}: ${(err as Error).message}`);
    }
    if (res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new ContestUpstreamUnreachable(`${this.base}${path}: HTTP ${res.status}`);
    }
    try {
      return { status: res.status, body: await res.json() };
    } catch {
      throw new ContestUpstreamUnreachable(`${this.base}${path}: HTTP ${res.status} without a JSON body`);
    }
  }

  file(request: ContestRequest): Promise<UpstreamAnswer> {
    return this.send('POST', '/v1/contests', {}, request);
  }

  follow(caseNumber: string, documentNumber: string, dateOfBirth: string): Promise<UpstreamAnswer> {
    return this.send('GET', `/v1/contests/${encodeURIComponent(caseNumber)}`, { [DOCUMENT_HEADER]: documentNumber, [BIRTH_DATE_HEADER]: dateOfBirth });
  }
}
