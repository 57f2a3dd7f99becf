/**
 * Contests and reviews on PostgreSQL (register-only records: never at the border); the same tables and
 * queries as store/sqlite/register/dueProcess.ts. Reads take the pool, or the open transaction's client.
 */
import type { Contest } from '../../../domain/contest.js';
import type { RestrictionReview } from '../../../domain/review.js';
import type { Restriction } from '../../../domain/types.js';
import type { ContestQuery, ContestTallies, ReviewCandidatesQuery } from '../../../register/registerStore.js';
import { registerRestrictionOf, type RegisterRestrictionRow } from '../../rows.js';
import type { Queryable, RegisterDb } from './registerDb.js';

export const dueProcessSchema = (s: string) => `
  CREATE TABLE ${s}.contests (
    case_number text COLLATE "C" PRIMARY KEY,
    restriction_id text COLLATE "C" NOT NULL,
    office text COLLATE "C" NOT NULL,
    state text NOT NULL,
    filed_at text COLLATE "C" NOT NULL,
    deadline text COLLATE "C" NOT NULL,
    body text NOT NULL
  );
  CREATE INDEX contests_by_state ON ${s}.contests (state, deadline);
  CREATE INDEX contests_by_office ON ${s}.contests (office, state);
  CREATE TABLE ${s}.reviews (
    id bigserial PRIMARY KEY,
    restriction_id text COLLATE "C" NOT NULL,
    reviewed_at text COLLATE "C" NOT NULL,
    body text NOT NULL
  );
  CREATE INDEX reviews_by_restriction ON ${s}.reviews (restriction_id, reviewed_at);
  CREATE INDEX restrictions_open_by_review ON ${s}.restrictions (review_at) WHERE lifted_at IS NULL;`;

export async function getContest(db: RegisterDb, caseNumber: string, on: Queryable = db.pool): Promise<Contest | undefined> {
  const row = (await on.query<{ body: string }>(`SELECT body FROM ${db.s}.contests WHERE case_number = $1`, [caseNumber])).rows[0];
  return row ? (JSON.parse(row.body) as Contest) : undefined;
}

export async function putContest(db: RegisterDb, c: Contest, on: Queryable): Promise<void> {
  await on.query(
    `INSERT INTO ${db.s}.contests (case_number, restriction_id, office, state, filed_at, deadline, body) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (case_number) DO UPDATE SET state = excluded.state, deadline = excluded.deadline, body = excluded.body`,
    [c.caseNumber, c.restrictionId, c.office, c.state, c.filedAt, c.deadline, JSON.stringify(c)],
  );
}

export async function contests(db: RegisterDb, q: ContestQuery): Promise<Contest[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const arg = (v: string | number) => `$${args.push(v)}`;
  if (q.office !== undefined) where.push(`office = ${arg(q.office)}`);
  if (q.state !== undefined) where.push(`state = ${arg(q.state)}`);
  if (q.deadlineBefore !== undefined) where.push(`deadline <= ${arg(q.deadlineBefore)}`);
  const sql = `SELECT body FROM ${db.s}.contests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY filed_at, case_number LIMIT ${arg(q.limit)}`;
  return (await db.pool.query<{ body: string }>(sql, args)).rows.map((row) => JSON.parse(row.body) as Contest);
}

export async function contestCounts(db: RegisterDb, now: string): Promise<{ open: number; overdue: number }> {
  const row = (await db.pool.query<{ open: string; overdue: string }>(`SELECT count(*) AS open, count(*) FILTER (WHERE deadline <= $1) AS overdue FROM ${db.s}.contests WHERE state = 'open'`, [now])).rows[0]!;
  return { open: Number(row.open), overdue: Number(row.overdue) };
}

export async function contestTallies(db: RegisterDb, now: string): Promise<ContestTallies> {
  const row = (
    await db.pool.query<Record<keyof ContestTallies, string>>(
      `SELECT count(*) AS opened, count(*) FILTER (WHERE state = 'upheld') AS upheld, count(*) FILTER (WHERE state = 'rejected') AS rejected,
              count(*) FILTER (WHERE state = 'open' AND deadline <= $1) AS overdue FROM ${db.s}.contests`,
      [now],
    )
  ).rows[0]!;
  return { opened: Number(row.opened), upheld: Number(row.upheld), rejected: Number(row.rejected), overdue: Number(row.overdue) };
}

export async function addReview(db: RegisterDb, review: RestrictionReview, on: Queryable): Promise<void> {
  await on.query(`INSERT INTO ${db.s}.reviews (restriction_id, reviewed_at, body) VALUES ($1, $2, $3)`, [review.restrictionId, review.reviewedAt, JSON.stringify(review)]);
}

export async function reviewsOf(db: RegisterDb, restrictionId: string): Promise<RestrictionReview[]> {
  const rows = (await db.pool.query<{ body: string }>(`SELECT body FROM ${db.s}.reviews WHERE restriction_id = $1 ORDER BY reviewed_at DESC, id DESC`, [restrictionId])).rows;
  return rows.map((row) => JSON.parse(row.body) as RestrictionReview);
}

export async function reviewCandidates(db: RegisterDb, q: ReviewCandidatesQuery): Promise<Restriction[]> {
  const args: (string | number)[] = [];
  const arg = (v: string | number) => `$${args.push(v)}`;
  const due: string[] = [`review_at <= ${arg(q.reviewAtBefore)}`];
  for (const [kind, before] of Object.entries(q.unreviewedStartedBefore)) due.push(`(review_at IS NULL AND kind = ${arg(kind)} AND coalesce(in_force_from, issued_at) <= ${arg(before)})`);
  for (const [kind, before] of Object.entries(q.startedBefore)) due.push(`(kind = ${arg(kind)} AND coalesce(in_force_from, issued_at) <= ${arg(before)})`);
  const where = ['lifted_at IS NULL', `(${due.join(' OR ')})`];
  if (q.office !== undefined) where.push(`office = ${arg(q.office)}`);
  if (q.after !== undefined) where.push(`restriction_id > ${arg(q.after)}`);
  const sql = `SELECT * FROM ${db.s}.restrictions WHERE ${where.join(' AND ')} ORDER BY restriction_id LIMIT ${arg(q.limit)}`;
  return (await db.pool.query<RegisterRestrictionRow>(sql, args)).rows.map(registerRestrictionOf);
}
