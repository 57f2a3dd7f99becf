/** Calling the erx HTTP API from the console: same origin, bearer token by role, `{error, field}` errors. */
import { tokenFor } from './tokens';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** What the person can do about it. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Roles the endpoint admits, most fitting first; the first token held for one of them is sent. */
  roles?: readonly string[];
  /** Another service's base URL (public endpoints only); default: this page's origin. */
  base?: string;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const token = options.roles && !options.base ? tokenFor(options.roles) : null;
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch((options.base ?? '') + path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `the service at ${options.base ?? location.origin} did not answer (${(err as Error).message}); is it running?`);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = (body ?? {}) as { error?: string; field?: string };
    const message = e.error ?? `HTTP ${res.status} ${res.statusText}`;
    const roles = options.roles?.join(' or ');
    const hint =
      res.status === 401 || res.status === 403
        ? `Add a token for the role ${roles ?? 'this page needs'} under “Tokens” at the top of the page (the demo prints links that carry them; erx auth token --role ROLE --data DIR makes one).`
        : res.status === 429
          ? 'Wait a minute and try again.'
          : undefined;
    throw new ApiError(res.status, message, e.field, hint);
  }
  return body as T;
}

/** Who may call what: the roles each kind of request is sent with, most fitting first. */
export const ROLES = {
  screen: ['checkpoint', 'operator', 'border'],
  ownScreenings: ['checkpoint', 'auditor', 'operator'],
  allScreenings: ['auditor', 'operator', 'checkpoint'],
  stats: ['auditor', 'operator'],
  verify: ['operator', 'border'],
  readRegister: ['operator', 'office', 'auditor'],
  writeRegister: ['operator', 'office'],
  importRegister: ['operator'],
  followers: ['operator', 'auditor'],
} as const;
