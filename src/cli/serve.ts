/** Starting a service from the command line: listen, print the contract's line, stop cleanly on signals. */
import type { FastifyInstance } from 'fastify';
import { listeningLine } from '../shared/http.js';

export async function listen(app: FastifyInstance, port: number, host: string): Promise<string> {
  await app.listen({ port, host });
  const line = listeningLine(app);
  process.stdout.write(line + '\n');
  return line.replace('listening on ', '');
}

/** SIGINT/SIGTERM: stop accepting, let in-flight work finish, close the database. */
export function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`error while stopping on ${signal}: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

/** An address only this machine reaches (where a token in clear stays on the box). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Tokens never cross the network in clear: a service reachable from off the box without TLS says so at start. */
export function warnIfTokensInClear(service: string, host: string, tls: boolean, auth: boolean): void {
  if (tls || !auth || isLoopback(host)) return;
  process.stderr.write(`erx: warning: this ${service} listens on ${host} over plain HTTP, so bearer tokens cross the network in clear; give --tls-cert FILE --tls-key FILE (docs/operations.md)\n`);
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, not "${value}"`);
  return port;
}
