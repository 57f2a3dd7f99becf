/**
 * One configuration model for the services: built-in defaults, then a JSON config file (`--config
 * FILE` or ERX_CONFIG), then environment variables (ERX_…), then flags — each later source wins. The
 * merged result is validated with zod at start-up; a bad or unknown key stops start-up with a message
 * naming it. `erx config print` shows the effective configuration, secrets masked.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseBusUrl } from '../transport/nats/busConfig.js';

const port = z.number().int().min(0).max(65535);
const positive = z.number().int().min(1);
/** The NATS JetStream of the exchange (docs/nats.md); the parser's message names what is wrong. */
const busUrl = z.string().superRefine((v, ctx) => {
  try {
    parseBusUrl(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});
const httpUrl = z.string({ error: 'is required: the URL of the register to follow (--register URL or ERX_REGISTER_URL)' }).regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');

export const CONFIG_SCHEMAS = {
  register: z.strictObject({
    port,
    host: z.string().min(1),
    data: z.string().min(1),
    retainDays: positive,
    retainChanges: positive.optional(),
    compactEvery: positive,
    expiryEvery: positive,
    auth: z.boolean(),
    store: z.string().regex(/^postgres(ql)?:\/\//i, 'must be a postgres:// URL (leave it out for the embedded SQLite store)').optional(),
    bus: busUrl.optional(),
    auditHeadEvery: positive,
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    consolePeer: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL').optional(),
    smtp: z.string().regex(/^smtps?:\/\/\S+$/i, 'must be an smtp:// or smtps:// URL').optional(),
    mailFrom: z.string().min(3).optional(),
    notifyBackoff: positive,
    notifyAttempts: positive,
  }),
  border: z.strictObject({
    register: httpUrl,
    port,
    host: z.string().min(1),
    data: z.string().min(1),
    token: z.string().min(1).optional(),
    trust: z.string().min(1).optional(),
    trustOnFirstUse: z.boolean(),
    batch: positive.max(5000),
    maxStaleness: positive,
    timeZone: z.string().min(1).refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-CA', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Moscow'),
    verifyEvery: positive,
    checkEvery: positive,
    auth: z.boolean(),
    store: z.string().regex(/^postgres(ql)?:\/\//i, 'must be a postgres:// URL (leave it out for the embedded SQLite store)').optional(),
    bus: busUrl.optional(),
    serveFeed: z.boolean(),
    image: z.boolean(),
    publishBus: busUrl.optional(),
    auditHeadEvery: positive,
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    ca: z.string().min(1).optional(),
    workers: positive.max(256),
  }),
};
export type Section = keyof typeof CONFIG_SCHEMAS;
export type ConfigOf<S extends Section> = z.output<(typeof CONFIG_SCHEMAS)[S]>;

/** Keys whose values are masked when printed. */
const SECRETS = new Set(['token']);

/** A store URL may carry a password: mask it when printing. */
function maskUrl(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@') : value;
}

export class ConfigError extends Error {}

function readConfigFile(file: string, section: Section): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${file}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${file}: must hold a JSON object with "register" and/or "border" sections`);
  for (const key of Object.keys(parsed)) {
    if (!(key in CONFIG_SCHEMAS)) throw new ConfigError(`config file ${file}: unknown section "${key}" (known: ${Object.keys(CONFIG_SCHEMAS).join(', ')})`);
  }
  const part = (parsed as Record<string, unknown>)[section] ?? {};
  if (typeof part !== 'object' || part === null || Array.isArray(part)) throw new ConfigError(`config file ${file}: "${section}" must be an object`);
  return part as Record<string, unknown>;
}

export interface Effective<S extends Section> {
  config: ConfigOf<S>;
  sources: Record<string, string>;
}

/**
 * Merges the sources for a command whose options were declared with `.env(…)`. Commander already
 * resolved flags over environment over defaults; the config file slots in above the defaults.
 */
export function resolveConfig<S extends Section>(section: S, cmd: Command): Effective<S> {
  const opts = cmd.opts() as Record<string, unknown>;
  const file = opts.config as string | undefined;
  const fromFile = file ? readConfigFile(file, section) : {};
  const merged: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts)) {
    if (key === 'config') continue;
    const source = cmd.getOptionValueSource(key) ?? 'default';
    if ((source === 'default' || value === undefined) && key in fromFile) continue;
    merged[key] = value;
    sources[key] = source === 'env' ? 'environment' : source === 'cli' ? 'flag' : source;
  }
  for (const [key, value] of Object.entries(fromFile)) {
    if (key in merged) continue;
    merged[key] = value;
    sources[key] = `config file ${file}`;
  }
  const result = CONFIG_SCHEMAS[section].safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ') || '(config)';
    throw new ConfigError(`configuration ${section}.${key}${sources[key] ? ` (from ${sources[key]})` : ''}: ${issue.message}`);
  }
  return { config: result.data as ConfigOf<S>, sources };
}

export function printable<S extends Section>(effective: Effective<S>): Record<string, { value: unknown; source: string }> {
  const out: Record<string, { value: unknown; source: string }> = {};
  for (const [key, value] of Object.entries(effective.config)) {
    out[key] = { value: SECRETS.has(key) && value ? '***' : key === 'store' ? maskUrl(value) : (key === 'bus' || key === 'publishBus') && typeof value === 'string' ? parseBusUrl(value).display : value, source: effective.sources[key] ?? 'default' };
  }
  return out;
}
