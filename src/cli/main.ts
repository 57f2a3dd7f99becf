/**
 * The `erx` command: each command group is in cli/commands/, their shared options in cli/options.ts
 * and cli/serveOptions.ts. Groups are added in the order `erx --help` lists them.
 */
import './quietPipe.js'; // first: a closed stdout ends erx quietly (erx … | head -1)
import { Command } from 'commander';
import { addAuditCommands } from './commands/audit.js';
import { addAuthCommands } from './commands/auth.js';
import { addBorderCommands } from './commands/border.js';
import { addConfigCommand } from './commands/config.js';
import { addDemoCommand } from './commands/demo.js';
import { addMigrateCommand } from './commands/migrate.js';
import { addRegisterCommands } from './commands/register.js';
import { addManifestCommand } from './commands/manifest.js';
import { addScreenCommand } from './commands/screen.js';

const program = new Command();
program
  .name('erx')
  .description('Exit Restriction Exchange: a register of exit restrictions, a signed exchange to border replicas, and checkpoint screening')
  .version('0.1.0')
  .showHelpAfterError();

addAuthCommands(program);
addRegisterCommands(program);
addBorderCommands(program);
addMigrateCommand(program);
addAuditCommands(program);
addConfigCommand(program);
addScreenCommand(program);
addManifestCommand(program);
addDemoCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`erx: ${e.message ?? String(err)}\n`);
  process.exit(e.code === 'commander.invalidArgument' ? 2 : 1);
});
