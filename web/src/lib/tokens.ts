/**
 * Bearer tokens the console sends, kept in sessionStorage (gone when the tab closes). One token per
 * role: the page picks, for each request, a token whose role the endpoint admits.
 *
 * A link may carry tokens in its fragment — `#token=…&token=…&peerToken=…` — which never reaches a
 * server (browsers do not send fragments); the demo prints such links so a newcomer's first click
 * lands on a working console. The fragment is removed from the address bar once read.
 *
 * Where the peer console is never comes from a link: a `peer=` in the fragment is ignored. Its address
 * is the service's own configuration (GET /v1/console/config), so a crafted link cannot make the page
 * hand its tokens to another origin.
 */
import { t } from '../i18n';

export interface TokenInfo {
  token: string;
  role: string;
  sub: string;
  office?: string;
  /** Expiry, seconds since the epoch. */
  exp?: number;
}

const TOKENS = 'erx.tokens';
const PEER_TOKENS = 'erx.peerTokens';
/** Where earlier versions kept a peer address taken from a link: dropped on sight. */
const LEGACY_PEER_URL = 'erx.peer';

const listeners = new Set<() => void>();
export function onTokensChanged(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function read(key: string): string[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function write(key: string, list: string[]): void {
  sessionStorage.setItem(key, JSON.stringify(list));
  listeners.forEach((fn) => fn());
}

/** Reads a JWT's claims without verifying it (the service verifies; this only labels and picks). */
export function decodeToken(token: string): TokenInfo | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1]!.length / 4) * 4, '='));
    const claims = JSON.parse(json) as Record<string, unknown>;
    if (typeof claims.role !== 'string') return null;
    const info: TokenInfo = { token: token.trim(), role: claims.role, sub: typeof claims.sub === 'string' ? claims.sub : claims.role };
    if (typeof claims.office === 'string') info.office = claims.office;
    if (typeof claims.exp === 'number') info.exp = claims.exp;
    return info;
  } catch {
    return null;
  }
}

export const expired = (t: TokenInfo, now = Date.now()) => t.exp !== undefined && t.exp * 1000 <= now;

export function tokens(): TokenInfo[] {
  return read(TOKENS)
    .map(decodeToken)
    .filter((t): t is TokenInfo => t !== null);
}

/** Adds a token, replacing any held for the same role. Returns an error message, or null. */
export function addToken(token: string): string | null {
  const info = decodeToken(token);
  if (!info) return t().tokenProblems.notAToken;
  if (expired(info)) return t().tokenProblems.expired(info.role);
  write(TOKENS, [...tokens().filter((t) => t.role !== info.role).map((t) => t.token), info.token]);
  return null;
}

export function removeToken(token: string): void {
  write(TOKENS, read(TOKENS).filter((t) => t !== token));
}

/** The first unexpired token whose role is in `roles`, in the order given (most fitting first). */
export function tokenFor(roles: readonly string[]): string | null {
  const held = tokens().filter((t) => !expired(t));
  for (const role of roles) {
    const t = held.find((h) => h.role === role);
    if (t) return t.token;
  }
  return null;
}

export const hasRole = (roles: readonly string[]) => tokenFor(roles) !== null;

export function peerTokens(): string[] {
  return read(PEER_TOKENS);
}

/** Takes tokens from the fragment into sessionStorage, then clears the fragment (a `peer=` in it is ignored). */
export function pickUpFragment(): void {
  sessionStorage.removeItem(LEGACY_PEER_URL);
  const hash = location.hash.replace(/^#/, '');
  if (!hash.includes('=')) return;
  const params = new URLSearchParams(hash);
  for (const t of params.getAll('token')) addToken(t);
  const forPeer = params.getAll('peerToken').filter((t) => decodeToken(t));
  if (forPeer.length > 0) write(PEER_TOKENS, forPeer);
  history.replaceState(null, '', location.pathname + location.search);
}

/**
 * A link to a page of the other service that hands over the tokens held for it (and ours, so its link
 * back works too) — in the fragment, which stays in the browser. `peerUrl` is the configured peer
 * (ConsoleConfig.peerUrl), never an address from a link.
 */
export function peerLink(peerUrl: string, page: string): string {
  const params = new URLSearchParams();
  for (const t of peerTokens()) params.append('token', t);
  for (const t of tokens()) params.append('peerToken', t.token);
  return `${peerUrl}/console/${page}#${params.toString()}`;
}
