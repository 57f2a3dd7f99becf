/**
 * The due-process rules (domain/dueProcessRules.ts) as the operator sets them: `<data>/due-process.json`,
 * read when the register starts. Absent, the defaults apply (contests answered within 7 days; no
 * periodic review, no maximum). A file that does not parse or fit stops the register with the file and
 * the field named: a typo must never silently drop a deadline.
 *
 *   {"contestDeadlineDays": {"court-order": 14}, "reviewIntervalDays": {"call-up": 365},
 *    "maxInForceDays": {"court-order": 1095}, "reviewNoticeDays": 120}
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DUE_PROCESS_RULES, type DueProcessRules, dueProcessRulesSchema } from '../domain/dueProcessRules.js';

export const DUE_PROCESS_FILE = 'due-process.json';

export class DueProcessRulesError extends Error {}

export function loadDueProcessRules(dataDir: string): { rules: DueProcessRules; source: string } {
  const file = join(dataDir, DUE_PROCESS_FILE);
  if (!existsSync(file)) return { rules: DEFAULT_DUE_PROCESS_RULES, source: 'default' };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DueProcessRulesError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = dueProcessRulesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new DueProcessRulesError(`${file}: ${where}: ${issue.message} — expected e.g. {"contestDeadlineDays":{"court-order":14},"reviewIntervalDays":{"call-up":365},"maxInForceDays":{"court-order":1095}}`);
  }
  return { rules: parsed.data, source: file };
}
