/** `erx screen`: screen one traveller at a running replica and print its answer. */
import { type Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { bearer, tokenOption, url } from '../options.js';

export function addScreenCommand(program: Command): void {
  program
    .command('screen')
    .description('screen one traveller at a running replica: a JSON object on stdin, or --mrz; prints the decision as JSON')
    .requiredOption('--border <url>', 'the border replica to ask', url)
    .option('--mrz <text>', 'the machine-readable zone, lines separated by newlines or "\\n"')
    .option('--checkpoint <id>', 'checkpoint name recorded in the audit (when the token does not name one)', 'cli')
    .addOption(tokenOption('bearer token (role checkpoint) of the replica'))
    .action(async (opts: { border: string; mrz?: string; checkpoint: string; token?: string }) => {
      let body: unknown;
      if (opts.mrz) body = { mrz: opts.mrz.replace(/\\n/g, '\n') };
      else {
        if (process.stdin.isTTY) throw new InvalidArgumentError('give --mrz, or a traveller as JSON on stdin, e.g. echo \'{"surname":"IVANOV","givenNames":"IURII","dateOfBirth":"1999-03-04"}\' | erx screen --border URL');
        const text = readFileSync(0, 'utf8');
        try {
          body = JSON.parse(text);
        } catch (err) {
          throw new InvalidArgumentError(`stdin is not JSON: ${(err as Error).message}`);
        }
      }
      const res = await fetch(opts.border.replace(/\/+$/, '') + '/v1/screenings', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-checkpoint-id': opts.checkpoint, ...bearer(opts.token) },
        body: JSON.stringify(body),
      });
      const answer = await res.json();
      process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
      if (!res.ok) process.exitCode = 2;
    });
}
