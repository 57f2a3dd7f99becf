/**
 * Contests and reviews on SQLite (register-only records: never at the border). A contest is one row
 * whose indexed columns (restriction, office, state, deadline) serve the lists, and whose body is the
 * whole record; a review is an append-only row. Candidates for review are found by SQL with loose
 * bounds and refined by the rules in register/reviewService.ts.
 */
import type { Contest } from '../../../domain/contest.js';
import type { RestrictionReview } from '../../../domain/review.js';
import type { Restriction } from '../../../domain/types.js';
import type { ContestQuery, ContestTallies, ReviewCandidatesQuery } from '../../../register/registerStore.js';
import { registerRestrictionOf, type RegisterRestrictionRow } from '../../rows.js';
import type { RegisterDb } from './registerDb.js';

export const DUE_PROCESS_SCHEMA = `
  CREATE TABLE contests (
    case_number TEXT PRIMARY KEY,
    restriction_id TEXT NOT NULL,
    office TEXT NOT NULL,
    state TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    deadline TEXT NOT NULL,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX contests_by_state ON contests(state, deadline);
  CREATE INDEX contests_by_office ON contests(office, state);
  CREATE TABLE reviews (
    restriction_id TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX reviews_by_restriction ON reviews(restriction_id, reviewed_at);
  CREATE INDEX restrictions_open_by_review ON restrictions(review_at) WHERE lifted_at IS NULL;`;

export function getContest(r: RegisterDb, caseNumber: string): Contest | undefined {
  const row = r.db.prepare<[string], { body: string }>('SELECT body FROM contests WHERE case_number = ?').get(caseNumber);
  return row ? (JSON.parse(row.body) as Contest) : undefined;
}

export function putContest(r: RegisterDb, c: Contest): void {
  r.db
    .prepare(
      `INSERT INTO contests VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(case_number) DO UPDATE SET state = excluded.state, deadline = excluded.deadline, body = excluded.body`,
    )
    .run(c.caseNumber, c.restrictionId, c.office, c.state, c.filedAt, c.deadline, JSON.stringify(c));
}

export function contests(r: RegisterDb, q: ContestQuery): Contest[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.office !== undefined) (where.push('office = ?'), args.push(q.office));
  if (q.state !== undefined) (where.push('state = ?'), args.push(q.state));
  if (q.deadlineBefore !== undefined) (where.push('deadline <= ?'), args.push(q.deadlineBefore));
  const sql = `SELECT body FROM contests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY filed_at, case_number LIMIT ?`;
  return r.db.prepare<(string | number)[], { body: string }>(sql).all(...args, q.limit).map((row) => JSON.parse(row.body) as Contest);
}

export function contestCounts(r: RegisterDb, now: string): { open: number; overdue: number } {
  const row = r.db
    .prepare<[string], { open: number; overdue: number | null }>("SELECT count(*) AS open, sum(deadline <= ?) AS overdue FROM contests WHERE state = 'open'")
    .get(now)!;
  return { open: row.open, overdue: row.overdue ?? 0 };
}

export function contestTallies(r: RegisterDb, now: string): ContestTallies {
  const row = r.db
    .prepare<[string], { opened: number; upheld: number | null; rejected: number | null; overdue: number | null }>(
      "SELECT count(*) AS opened, sum(state = 'upheld') AS upheld, sum(state = 'rejected') AS rejected, sum(state = 'open' AND deadline <= ?) AS overdue FROM contests",
    )
    .get(now)!;
  return { opened: row.opened, upheld: row.upheld ?? 0, rejected: row.rejected ?? 0, overdue: row.overdue ?? 0 };
}

export function addReview(r: RegisterDb, review: RestrictionReview): void {
  r.db.prepare('INSERT INTO reviews VALUES (?, ?, ?)').run(review.restrictionId, review.reviewedAt, JSON.stringify(review));
}

export function reviewsOf(r: RegisterDb, restrictionId: string): RestrictionReview[] {
  return r.db
    .prepare<[string], { body: string }>('SELECT body FROM reviews WHERE restriction_id = ? ORDER BY reviewed_at DESC, rowid DESC')
    .all(restrictionId)
    .map((row) => JSON.parse(row.body) as RestrictionReview);
}

export function reviewCandidates(r: RegisterDb, q: ReviewCandidatesQuery): Restriction[] {
  const due: string[] = ['review_at <= ?'];
  const args: (string | number)[] = [q.reviewAtBefore];
  for (const [kind, before] of Object.entries(q.unreviewedStartedBefore)) (due.push('(review_at IS NULL AND kind = ? AND coalesce(in_force_from, issued_at) <= ?)'), args.push(kind, before));
  for (const [kind, before] of Object.entries(q.startedBefore)) (due.push('(kind = ? AND coalesce(in_force_from, issued_at) <= ?)'), args.push(kind, before));
  const where = [`lifted_at IS NULL`, `(${due.join(' OR ')})`];
  if (q.office !== undefined) (where.push('office = ?'), args.push(q.office));
  if (q.after !== undefined) (where.push('restriction_id > ?'), args.push(q.after));
  const sql = `SELECT * FROM restrictions WHERE ${where.join(' AND ')} ORDER BY restriction_id LIMIT ?`;
  return r.db.prepare<(string | number)[], RegisterRestrictionRow>(sql).all(...args, q.limit).map(registerRestrictionOf);
}
