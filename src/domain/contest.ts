/**
 * A contest: a person asks the issuing office to lift a restriction they hold. The office answers it
 * once — upheld (the restriction is lifted) or rejected, each with reasons — by a deadline set per
 * restriction kind (dueProcessRules.ts). The answer is the event the person is told of.
 */
export const CONTEST_STATES = ['open', 'upheld', 'rejected'] as const;
export type ContestState = (typeof CONTEST_STATES)[number];
export const CONTEST_DECISIONS = ['upheld', 'rejected'] as const;
export type ContestDecision = (typeof CONTEST_DECISIONS)[number];

export interface ContestAnswer {
  decision: ContestDecision;
  reasons: string;
  /** Who answered (the audit trail's actor). */
  answeredBy: string;
}

export interface Contest {
  /** `C-<year>-` and 16 base32 characters (80 random bits): not to be guessed or enumerated. */
  caseNumber: string;
  restrictionId: string;
  personId: string;
  /** The issuing office of the restriction: the one that must answer. */
  office: string;
  /** Where the person wants to hear of the answer (an e-mail address or a phone number); register-only. */
  contact: string;
  reason: string;
  filedAt: string;
  /** When the office must have answered by. */
  deadline: string;
  state: ContestState;
  answeredAt?: string;
  answer?: ContestAnswer;
}

export const CASE_NUMBER_PATTERN = /^C-\d{4}-[A-Z2-7]{16}$/;

/** A contest past its deadline and not answered. */
export const isOverdue = (c: Pick<Contest, 'state' | 'deadline'>, now: Date): boolean => c.state === 'open' && Date.parse(c.deadline) <= now.getTime();

/** The contest answered; a second answer is refused (the string says why). */
export function answerContest(c: Contest, answer: ContestAnswer, at: string): Contest | { refusal: string } {
  if (c.state !== 'open') return { refusal: `contest ${c.caseNumber} was already answered (${c.state}, ${c.answeredAt})` };
  return { ...c, state: answer.decision, answeredAt: at, answer };
}
