/**
 * The self-check's answer, written so that it cannot be misread. "Nothing found" is never a green
 * all-clear: it says exactly which passport number and date of birth were checked, and that a
 * restriction recorded under other details (another passport, another date of birth) would not show —
 * so a typo reads as "nothing found for THESE details", not "you are free to go". A restriction in
 * force says on what legal basis, from which office (with the office's contact details and address as
 * the register records them), since when, and how to contest it, by when if its basis sets a deadline. The service answers in one shape whoever asks (src/border/selfCheck.ts); this
 * only words it.
 */
import type { ComponentChildren } from 'preact';
import type { SelfCheckAnswer } from '@api/selfCheck';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';
import { lookup } from '../i18n/plural';
import { kindLabel } from '../lib/format';
import { longDate, longDateTime } from '../lib/plainDates';
import { OfficeContact } from './OfficeContact';

type Restriction = SelfCheckAnswer['restrictions'][number];
type Rule = SelfCheckAnswer['rules'][number];

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The service's status words ("lifted 2025-…", "deferred: student until 2029-06-30") with readable dates. */
export function statusText(status: string): string {
  const words = t().selfCheckResult;
  const date = (rest: string) => (rest.includes('T') ? longDateTime(rest) : longDate(rest));
  let m: RegExpMatchArray | null;
  if ((m = status.match(/^lifted (.+)$/))) return words.liftedOn(date(m[1]!));
  if ((m = status.match(/^expired (.+)$/))) return words.endedOn(date(m[1]!));
  if ((m = status.match(/^in force from (.+)$/))) return words.notYet(date(m[1]!));
  if ((m = status.match(/^deferred: (\S+) until (.+)$/))) return words.deferredUntil(lookup(words.categories, m[1]!), longDate(m[2]!));
  if (status === 'in force') return words.inForce;
  return capital(status);
}

/** One fact of a record: its name and its value, as a row of the record's description list. */
function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function RestrictionCard({ r }: { r: Restriction }) {
  const words = t().selfCheckResult;
  return (
    <article class={`sc-record ${r.applies ? 'sc-record-applies' : 'sc-record-past'}`} aria-labelledby={`sc-r-${r.restrictionId}`} data-restriction={r.restrictionId}>
      <h3 id={`sc-r-${r.restrictionId}`}>{capital(kindLabel(r.kind))}</h3>
      <dl class="sc-facts">
        <Fact term={words.legalBasis}>{r.basis}</Fact>
        <Fact term={words.issuedBy}>
          <OfficeContact office={r.office} />
        </Fact>
        {r.applies && r.inForceFrom ? <Fact term={words.inForceSince}>{longDateTime(r.inForceFrom)}</Fact> : null}
        <Fact term={words.status}>{statusText(r.status)}</Fact>
        {r.applies && r.office.recorded ? (
          <Fact term={words.howToContestIt}>
            <p class="sc-contest-how">{r.contest.how}</p>
            {r.contest.deadline ? (
              <p class="sc-contest-deadline">
                <strong>{words.deadline(longDate(r.contest.deadline))}</strong>
                {r.contest.deadlineDays ? words.deadlineDays(r.contest.deadlineDays) : ''}
              </p>
            ) : (
              <p class="sc-contest-deadline">{words.noDeadline}</p>
            )}
          </Fact>
        ) : null}
        <Fact term={words.reference}>{r.restrictionId}</Fact>
      </dl>
    </article>
  );
}

function RuleCard({ r }: { r: Rule }) {
  const words = t().selfCheckResult;
  return (
    <article class={`sc-record ${r.applies ? 'sc-record-applies' : 'sc-record-past'}`} aria-label={r.title}>
      <h3>{r.title}</h3>
      <dl class="sc-facts">
        <Fact term={words.legalBasis}>{r.basis}</Fact>
        <Fact term={words.decidedBy}>{r.authority}</Fact>
        <Fact term={r.applies ? words.whyCovers : words.whyNotCovers}>{r.detail}</Fact>
      </dl>
    </article>
  );
}

export interface Checked {
  documentNumber: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
}

export function SelfCheckResult({ answer, checked, onCheckAgain }: { answer: SelfCheckAnswer; checked: Checked; onCheckAgain: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [answer]);
  const words = t().selfCheckResult;
  const who = words.who(checked.documentNumber, longDate(checked.dateOfBirth));
  const applying = answer.restrictions.filter((r) => r.applies);
  const past = answer.restrictions.filter((r) => !r.applies);
  const rulesApplying = answer.rules.filter((r) => r.applies);
  const rulesNot = answer.rules.filter((r) => !r.applies);
  const checkedAt = words.checkedAt(longDateTime(answer.checkedAt));
  return (
    <div class="sc-result" data-restricted={String(answer.restricted)}>
      {answer.restricted ? (
        <div class="sc-panel sc-panel-restricted">
          <h2 id="sc-result-heading" ref={heading} tabIndex={-1}>
            {words.applies}
          </h2>
          <p class="sc-checked">
            {words.foundFor} <strong>{who}</strong>. {checkedAt}
          </p>
        </div>
      ) : (
        <div class="sc-panel sc-panel-none">
          <h2 id="sc-result-heading" ref={heading} tabIndex={-1}>
            {words.noneFor(who)}
          </h2>
          <p>{words.onlyThese}</p>
          <p>
            {words.tryAgain} {checkedAt}
          </p>
        </div>
      )}

      {applying.length > 0 || rulesApplying.length > 0 ? (
        <section aria-labelledby="sc-applies">
          <h2 id="sc-applies">{applying.length + rulesApplying.length === 1 ? words.theRestriction : words.theRestrictions}</h2>
          {applying.map((r) => (
            <RestrictionCard r={r} key={r.restrictionId} />
          ))}
          {rulesApplying.map((r) => (
            <RuleCard r={r} key={r.ruleId} />
          ))}
        </section>
      ) : null}

      {answer.restricted ? (
        <section aria-labelledby="sc-contest" class="sc-contest">
          <h2 id="sc-contest">{words.howToContest}</h2>
          <p>{answer.howToContest}</p>
        </section>
      ) : null}

      {answer.deferments.length > 0 ? (
        <section aria-labelledby="sc-deferments">
          <h2 id="sc-deferments">{words.deferments}</h2>
          <ul>
            {answer.deferments.map((d, i) => (
              <li key={i}>
                {words.deferment(words.kinds[d.kind ?? 'deferment'], lookup(words.categories, d.category), longDate(d.validFrom), longDate(d.validTo))}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {past.length > 0 ? (
        <section aria-labelledby="sc-past">
          <h2 id="sc-past">{words.past}</h2>
          {past.map((r) => (
            <RestrictionCard r={r} key={r.restrictionId} />
          ))}
        </section>
      ) : null}

      {rulesNot.length > 0 ? (
        <section aria-labelledby="sc-rules-not">
          <h2 id="sc-rules-not">{words.rulesNot}</h2>
          {rulesNot.map((r) => (
            <RuleCard r={r} key={r.ruleId} />
          ))}
        </section>
      ) : null}

      {!answer.restricted ? (
        <section aria-labelledby="sc-contest" class="sc-contest">
          <h2 id="sc-contest">{words.ifApplies}</h2>
          <p>{answer.howToContest}</p>
        </section>
      ) : null}

      <p>
        <button type="button" class="link" onClick={onCheckAgain}>
          {words.checkOther}
        </button>
      </p>
    </div>
  );
}
