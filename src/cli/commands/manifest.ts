/**
 * `erx manifest FILE --border URL`: a carrier screens its passenger list — a JSON manifest or a PAXLST
 * message (by extension .edi/.edifact/.paxlst, or by content starting UNA/UNB/UNH) — and reads the answer
 * per traveller as a table (or --json). The file is checked here first, so a bad one is explained
 * without a round trip; the replica checks it again.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type ManifestAnswer, manifestRequestSchema } from '../../api/manifests.js';
import { parsePaxlst } from '../../border/manifests/paxlst.js';
import { ErxError } from '../../shared/errors.js';
import { firstError } from '../../shared/fieldError.js';
import { bearer, tokenOption, url } from '../options.js';

export function looksLikeEdifact(file: string, text: string): boolean {
  return ['.edi', '.edifact', '.paxlst'].includes(extname(file).toLowerCase()) || /^\s*(UNA|UNB|UNH)/.test(text);
}

/** The answer as a table a person reads at a desk: one line per traveller, in the manifest's order. */
export function manifestTable(answer: ManifestAnswer): string {
  const header = ['#', 'surname', 'given names', 'born', 'document', 'answer'];
  const rows = answer.travellers.map((t) => [String(t.position), t.surname, t.givenNames, t.dateOfBirth, t.documentNumber, t.answer]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const count = (a: string) => answer.travellers.filter((t) => t.answer === a).length;
  return [
    `manifest ${answer.manifestId} (version ${answer.version}) — ${answer.carrier} ${answer.service}, ${answer.from} → ${answer.to}, departs ${answer.departureAt}`,
    line(header),
    ...rows.map(line),
    `${answer.travellers.length} travellers: ${count('board')} board, ${count('check-at-border')} check at the border, ${count('do-not-board')} do not board`,
    ...(answer.changes && answer.changes.length > 0 ? [`changed since: ${answer.changes.map((c) => `#${c.position} ${c.from} → ${c.to} (v${c.version})`).join(', ')}`] : []),
  ].join('\n');
}

export function addManifestCommand(program: Command): void {
  program
    .command('manifest')
    .description("a carrier's passenger list screened before departure: FILE is a JSON manifest or a PAXLST message; prints board / check-at-border / do-not-board per traveller")
    .argument('[file]', 'the manifest: JSON ({carrier, service, departureAt, from, to, travellers}) or PAXLST (.edi)')
    .requiredOption('--border <url>', 'the border replica to ask', url)
    .option('--id <manifestId>', 'instead of sending a file: read a manifest sent before (its current answers)')
    .option('--since <version>', 'with --id: also show what changed after this version')
    .option('--json', 'print the answer as JSON')
    .addOption(tokenOption('bearer token (role carrier) of the replica: erx auth token --role carrier --carrier ID --data DIR'))
    .action(async (file: string | undefined, opts: { border: string; id?: string; since?: string; json?: boolean; token?: string }) => {
      const base = opts.border.replace(/\/+$/, '');
      let res: Response;
      if (opts.id) {
        res = await fetch(`${base}/v1/manifests/${encodeURIComponent(opts.id)}${opts.since ? `?since=${encodeURIComponent(opts.since)}` : ''}`, { headers: bearer(opts.token) });
      } else {
        if (!file) throw new InvalidArgumentError('give the manifest FILE (JSON or PAXLST), or --id MANIFEST_ID to read one sent before');
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          throw new InvalidArgumentError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
        }
        const edifact = looksLikeEdifact(file, text);
        try {
          if (edifact) parsePaxlst(text);
          else {
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch (err) {
              throw new ErxError(400, `neither JSON (${(err as Error).message.split('\n')[0]}) nor a PAXLST message (UNA/UNB/UNH…)`);
            }
            const checked = manifestRequestSchema.safeParse(json);
            if (!checked.success) throw new ErxError(400, firstError(checked.error).error);
          }
        } catch (err) {
          if (err instanceof ErxError) throw new InvalidArgumentError(`${file}: ${err.message}`);
          throw err;
        }
        res = await fetch(`${base}/v1/manifests`, {
          method: 'POST',
          headers: { 'content-type': edifact ? 'application/edifact' : 'application/json', ...bearer(opts.token) },
          body: text,
        });
      }
      const answer = (await res.json()) as ManifestAnswer & { error?: string };
      if (!res.ok) {
        process.stderr.write(`the border replica refused it (${res.status}): ${answer.error ?? JSON.stringify(answer)}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write((opts.json ? JSON.stringify(answer, null, 2) : manifestTable(answer)) + '\n');
    });
}
