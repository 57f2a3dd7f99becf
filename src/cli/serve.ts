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

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, not "${value}"`);
  return port;
}
