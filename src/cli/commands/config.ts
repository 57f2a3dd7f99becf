/** `erx config print`: the effective configuration of a service, from the same flags, ERX_* variables and file it would start with. */
import type { Command } from 'commander';
import { printable, resolveConfig } from '../config.js';
import { borderServeOptions, registerServeOptions } from '../serveOptions.js';

export function addConfigCommand(program: Command): void {
  const configPrint = program.command('config').description('the effective configuration').command('print').description('print the effective configuration of a service (secrets masked)');
  for (const [section, options] of [['register', registerServeOptions], ['border', borderServeOptions]] as const) {
    options(configPrint.command(section).description(`print the effective configuration of \`erx ${section} serve\` given these flags, ERX_* variables and config file (secrets masked)`)).action((_opts, cmd: Command) => {
      process.stdout.write(JSON.stringify(printable(resolveConfig(section, cmd)), null, 2) + '\n');
    });
  }
}
