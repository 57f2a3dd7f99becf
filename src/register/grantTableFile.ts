/**
 * The register's grant table (authority.ts: which office may grant which deferments and relieve whose
 * call-ups) as the operator sets it: `<data>/authority.json`, read when the register starts. Absent, the
 * default table in authority.ts applies; present, it replaces the default whole, so what is allowed is
 * exactly what the file says. A file that does not parse or fit the shape stops the register with the
 * file and the field named — a typo must never widen (or silently drop) an authority.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_GRANTS, type GrantTable, grantTableSchema } from './authority.js';

export const GRANT_TABLE_FILE = 'authority.json';

export class GrantTableError extends Error {}

export function loadGrantTable(dataDir: string): { table: GrantTable; source: string } {
  const file = join(dataDir, GRANT_TABLE_FILE);
  if (!existsSync(file)) return { table: DEFAULT_GRANTS, source: 'default' };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GrantTableError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = grantTableSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new GrantTableError(`${file}: ${where}: ${issue.message} — expected {"grants":[{"grantor":"MO-*","kinds":["deferment"],"categories":["student"],"relieves":["own"]}]}`);
  }
  return { table: parsed.data, source: file };
}
