/**
 * Structured JSON logs (pino). Services log to stdout, or to a file when ERX_LOG_FILE is set (the demo
 * does that, so its terminal shows the story rather than every request). ERX_LOG_LEVEL sets the level.
 *
 * No personal data by default: names, dates of birth, document numbers and MRZs are redacted wherever
 * they appear in a log object. ERX_LOG_PERSONAL_DATA=1 lifts that for an investigation (documented in
 * the README; leave it off otherwise). The same goes for query strings in the request log: only
 * parameters known to carry no personal data keep their values (a person search's `q=` does not).
 */
import pino, { type LoggerOptions } from 'pino';

const PERSONAL_FIELDS = ['surname', 'givenNames', 'patronymic', 'dateOfBirth', 'documentNumber', 'documents', 'mrz', 'traveller', 'body'];
const PERSONAL_PATHS = [...PERSONAL_FIELDS, ...PERSONAL_FIELDS.map((f) => `*.${f}`), 'req.body', 'req.headers.authorization'];

/** Query parameters whose values are logged: cursors, page sizes, waits, buckets — never a search text. */
const PLAIN_QUERY_PARAMS = new Set(['after', 'limit', 'wait', 'relief', 'buckets', 'minutes']);

/**
 * A request URL as the request log shows it: the path, and the query with every value redacted except
 * the parameters known to be harmless (deny by default: a new parameter is redacted until listed).
 */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0 || process.env.ERX_LOG_PERSONAL_DATA === '1') return url;
  const kept = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0]!;
      if (PLAIN_QUERY_PARAMS.has(name)) return pair;
      // The name stays when it is a plain word (q, search…); anything stranger is itself redacted.
      return `${/^[A-Za-z0-9_.-]{1,32}$/.test(name) ? name : '[redacted]'}=[redacted]`;
    });
  return `${url.slice(0, at)}?${kept.join('&')}`;
}

export function loggerOptions(name: string): LoggerOptions & { file?: string } {
  const level = process.env.ERX_LOG_LEVEL ?? 'info';
  const options: LoggerOptions & { file?: string } = { name, level };
  if (process.env.ERX_LOG_PERSONAL_DATA !== '1') {
    options.redact = { paths: PERSONAL_PATHS, censor: '[redacted]' };
  }
  const file = process.env.ERX_LOG_FILE;
  if (file) options.file = file;
  return options;
}

/**
 * A logger writing through an asynchronous destination (sonic-boom): lines are buffered and written
 * while the service goes on, instead of one blocking write per line on the event loop, which a replica
 * under screening load makes thousands of times a second. pino flushes what is buffered at exit.
 */
export function createLogger(name: string) {
  const { file, ...options } = loggerOptions(name);
  return pino(options, pino.destination({ dest: file ?? 1, sync: false, mkdir: file !== undefined }));
}

export type Logger = ReturnType<typeof createLogger>;
