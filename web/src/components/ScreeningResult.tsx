/**
 * A screening answer as an officer reads it: the decision, large, with what to do and whom it is about
 * (name, document, date of birth as read), so it cannot be taken for the next traveller's; for a
 * refer, which kind it is — a possible match (the traveller beside the candidates) or data too old
 * (how old, and what to do); then each reason — which restriction, its kind, legal basis and issuing
 * office, what matched, and why a restriction did not count (lifted, deferred) — and how old the
 * replica's data is. Scores and the matcher's name keys are behind "details".
 */
import { Fragment } from 'preact';
import { t } from '../i18n';
import { lookup } from '../i18n/plural';
import { ago, kindLabel, localiseDates, localTime, percent } from '../lib/format';
import { longDate } from '../lib/plainDates';
import type { Decision } from '@api/decision';
import type { ListReason as Reason, RuleReason, ScreeningAnswer as Screening, TravellerAnswer as Traveller } from '@api/screening';
import { isRule, isStale, type StaleReason } from '../lib/types';
import { MatchComparison } from './MatchComparison';

/** The decision as officers read it, in their language (a Latin code beside it where the word is not English). */
export const decisionWord = (decision: Decision | string) => lookup(t().decision, decision);

/** The traveller's fields shown under "Traveller as read", in this order. */
const FIELDS = ['surname', 'givenNames', 'dateOfBirth', 'sex', 'documentNumber', 'nationality', 'documentCountry'] as const;

const RULE_BADGE: Record<RuleReason['status'], string> = {
  'in-scope': 'in-force',
  'scope-unclear': 'not-yet-in-force',
  'exemption-unconfirmed': 'not-yet-in-force',
  'deferment-not-listed': 'not-yet-in-force',
  exempt: 'deferred',
};

/** A date of birth as read ("1999-03-04", or only "1999-03"): in words when it is a whole date. */
export const birthDate = (date: string) => longDate(date);

/** A category-wide rule: which version decided, on what basis, and each scope condition as checked. */
function RuleCard({ r }: { r: RuleReason }) {
  const words = t().result;
  const badge = RULE_BADGE[r.status];
  return (
    <article class={`reason reason-${badge}`} aria-label={words.rule(r.ruleId)}>
      <h4>
        {r.ruleId} <span class="kind">{words.ruleKind(r.ruleVersion)}</span> <span class={`badge badge-${badge}`}>{words.ruleStatus[r.status]}</span>
      </h4>
      <dl class="pairs">
        <dt>{words.ruleTitle}</dt>
        <dd>{r.title}</dd>
        <dt>{words.legalBasis}</dt>
        <dd>{r.basis}</dd>
        <dt>{words.authority}</dt>
        <dd>{r.authority}</dd>
        {r.exemption ? (
          <>
            <dt>{r.exemption.kind === 'exemption' ? words.exemption : words.deferment}</dt>
            <dd>{words.exemptionText(r.exemption.category, longDate(r.exemption.validFrom), longDate(r.exemption.validTo), r.exemption.personId, percent(r.exemption.score))}</dd>
          </>
        ) : null}
        <dt>{words.why}</dt>
        <dd>{localiseDates(r.detail)}</dd>
      </dl>
      <table class="features">
        <caption>{words.scopeCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{words.condition}</th>
            <th scope="col">{words.met}</th>
            <th scope="col">{words.detail}</th>
          </tr>
        </thead>
        <tbody>
          {r.checks.map((c, i) => (
            <tr key={i}>
              <th scope="row">{c.condition}</th>
              <td>{words.check[c.result]}</td>
              <td>{c.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

export function TravellerRead({ traveller }: { traveller: Traveller }) {
  const shown = FIELDS.filter((k) => traveller[k]);
  return (
    <dl class="pairs">
      {shown.map((k) => (
        <Fragment key={k}>
          <dt>{t().result.fields[k]}</dt>
          <dd>{k === 'dateOfBirth' ? birthDate(String(traveller[k])) : String(traveller[k])}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function StaleCard({ r }: { r: StaleReason }) {
  return (
    <article class="reason reason-stale">
      <h4>{r.kind === 'replica-database-damaged' ? t().result.damaged : t().result.tooOld}</h4>
      <p>{localiseDates(r.detail)}</p>
    </article>
  );
}

function ReasonCard({ r }: { r: Reason }) {
  const words = t().result;
  return (
    <article class={`reason reason-${r.status}`} aria-label={words.restriction(r.restrictionId)}>
      <h4>
        {r.restrictionId} <span class="kind">{kindLabel(r.kind)}</span> <span class={`badge badge-${r.status}`}>{words.status[r.status]}</span>
      </h4>
      <dl class="pairs">
        <dt>{words.legalBasis}</dt>
        <dd>{r.basis}</dd>
        <dt>{words.issuingOffice}</dt>
        <dd>{r.office}</dd>
        <dt>{words.matchedOn}</dt>
        <dd>{r.matchedOn.map((f) => lookup(words.matchedFields, f)).join(', ') || words.similarOnly}</dd>
        {r.inForceFrom ? (
          <>
            <dt>{words.inForceFrom}</dt>
            <dd>{localTime(r.inForceFrom)}</dd>
          </>
        ) : null}
        {r.liftedAt ? (
          <>
            <dt>{words.lifted}</dt>
            <dd>{localTime(r.liftedAt)}</dd>
          </>
        ) : null}
        {r.expiresAt ? (
          <>
            <dt>{words.expires}</dt>
            <dd>{localTime(r.expiresAt)}</dd>
          </>
        ) : null}
        <dt>{words.statusTitle}</dt>
        <dd>{localiseDates(r.detail.split('; ').at(-1) ?? '')}</dd>
      </dl>
      <details class="reason-details">
        <summary>{words.detailsSummary}</summary>
        <p>
          {words.score(percent(r.score), r.personId)} {localiseDates(r.detail)}
        </p>
      {r.features && r.features.length > 0 ? (
        <table class="features">
          <caption>{words.howMatched}</caption>
          <thead>
            <tr>
              <th scope="col">{words.field}</th>
              <th scope="col">{words.traveller}</th>
              <th scope="col">{words.register}</th>
              <th scope="col">{words.similarity}</th>
            </tr>
          </thead>
          <tbody>
            {r.features.map((f, i) => (
              <tr key={i}>
                <th scope="row">{lookup(words.matchedFields, f.feature)}</th>
                <td>{f.query}</td>
                <td>{f.candidate}</td>
                <td title={f.detail}>{percent(f.similarity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      </details>
    </article>
  );
}

/** Whom an answer is about, as read: "IVANOV YURII · document 751234567 RUS · born 1999-03-04". */
export function travellerSummary(traveller: Traveller): string {
  const words = t().result;
  const name = [traveller.surname, traveller.givenNames].filter(Boolean).join(' ') || words.nameNotGiven;
  const doc = traveller.documentNumber ? words.document([traveller.documentNumber, traveller.documentCountry].filter(Boolean).join(' ')) : words.noDocument;
  return `${name} · ${doc} · ${traveller.dateOfBirth ? words.born(birthDate(traveller.dateOfBirth)) : words.dobNotGiven}`;
}

export function DecisionBanner({ decision, traveller }: { decision: Decision; traveller?: Traveller }) {
  const words = t().result;
  return (
    <div class={`decision decision-${decision}`} data-decision={decision}>
      <span class="decision-word">{decisionWord(decision)}</span>
      <span class="decision-advice">{words.advice[decision]}</span>
      {traveller ? (
        <p class="decision-about" data-testid="decision-about">
          {words.for} <strong>{[traveller.surname, traveller.givenNames].filter(Boolean).join(' ') || words.noName}</strong>
          {' · '}
          {words.documentWord} <strong>{traveller.documentNumber ?? words.notGiven}</strong>
          {' · '}
          {words.bornWord} <strong>{traveller.dateOfBirth ? birthDate(traveller.dateOfBirth) : words.notGiven}</strong>
        </p>
      ) : null}
    </div>
  );
}

/** "4 min 10 s", "2 h 5 min", "3 days": a lag as a person says it. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const words = t().time;
  if (s < 60) return words.seconds(s);
  if (s < 3600) return `${words.minutes(Math.floor(s / 60))}${s % 60 ? ` ${words.seconds(s % 60)}` : ''}`;
  if (s < 172_800) return `${words.hours(Math.floor(s / 3600))}${Math.floor((s % 3600) / 60) ? ` ${words.minutes(Math.floor((s % 3600) / 60))}` : ''}`;
  return words.days(Math.floor(s / 86_400));
}

/** Which kind of refer an answer is: the replica cannot vouch for its data, or a match the officer must judge. */
export type ReferKind = 'data-too-old' | 'database-damaged' | 'possible-match' | 'rule-unclear';

export function referKind(result: Screening): ReferKind | null {
  if (result.decision !== 'refer') return null;
  const reasons = result.reasons;
  if (reasons.some((r) => isStale(r) && r.kind === 'replica-database-damaged')) return 'database-damaged';
  if (reasons.some((r) => isStale(r) && r.kind === 'replica-data-too-old')) return 'data-too-old';
  if (reasons.some((r) => !isStale(r) && !isRule(r) && r.status === 'in-force')) return 'possible-match';
  return 'rule-unclear';
}

const listReasons = (result: Screening) => result.reasons.filter((r): r is Reason => !isStale(r) && !isRule(r));

/** For a refer: which it is, and what to do, in plain words. */
function ReferWhy({ result }: { result: Screening }) {
  const kind = referKind(result);
  if (!kind) return null;
  const words = t().result;
  if (kind === 'data-too-old' || kind === 'database-damaged') {
    const stale = result.reasons.find(isStale);
    const lag = stale && stale.kind === 'replica-data-too-old' ? stale.lagSeconds : result.lagSeconds;
    const bound = stale && stale.kind === 'replica-data-too-old' ? stale.maxStalenessSeconds : null;
    return (
      <section class="refer-why" data-refer={kind} aria-labelledby="refer-heading">
        <h3 id="refer-heading">{kind === 'data-too-old' ? words.referTooOld : words.referDamaged}</h3>
        {kind === 'data-too-old' ? (
          <p>
            {words.lastUpToDate} <strong>{lag === null ? words.unknownTime : words.durationAgo(duration(lag))}</strong>
            {bound !== null ? words.limit(duration(bound)) : ''}. {words.cannotClear}
          </p>
        ) : (
          <p>{words.rebuilding}</p>
        )}
        <h4>{words.whatToDo}</h4>
        <ol class="steps">
          <li>{words.stepSecondary}</li>
          <li>{words.stepSupervisor(kind === 'data-too-old')}</li>
          <li>{words.stepAgain}</li>
        </ol>
      </section>
    );
  }
  if (kind === 'possible-match') {
    const counting = listReasons(result).filter((r) => r.status === 'in-force');
    return (
      <section class="refer-why" data-refer={kind} aria-labelledby="refer-heading">
        <h3 id="refer-heading">{words.referMatch}</h3>
        <p>{words.referMatchText(counting.length)}</p>
        <MatchComparison traveller={result.traveller} reasons={counting} caption={words.compareMatch} />
      </section>
    );
  }
  return (
    <section class="refer-why" data-refer={kind} aria-labelledby="refer-heading">
      <h3 id="refer-heading">{words.referRule}</h3>
      <p>{words.referRuleText}</p>
    </section>
  );
}

export function ScreeningResult({ result }: { result: Screening }) {
  const reasons = result.reasons;
  const counting = listReasons(result).filter((r) => r.status === 'in-force');
  const words = t().result;
  return (
    <div class="result">
      <DecisionBanner decision={result.decision} traveller={result.traveller} />
      <p class="freshness">
        {words.dataAsOf} <strong>{localTime(result.dataAsOf)}</strong>
        {result.lagSeconds !== null ? words.lag(result.lagSeconds) : words.lagUnknown}
        {words.change(result.replicaSeq, result.registerSeq)}
        {localTime(result.screenedAt)} ({ago(result.screenedAt)}){result.crossingDate ? words.crossing(longDate(result.crossingDate), result.timeZone) : ''}
        {words.id}
        <code>{result.screeningId}</code>
      </p>
      <ReferWhy result={result} />
      {result.decision === 'hit' && counting.length > 0 ? (
        <MatchComparison traveller={result.traveller} reasons={counting} caption={words.compareHit} />
      ) : null}
      <div class="columns">
        <section aria-labelledby="read-heading">
          <h3 id="read-heading">{words.readHeading}</h3>
          <TravellerRead traveller={result.traveller} />
        </section>
        <section aria-labelledby="reasons-heading" class="grow">
          <h3 id="reasons-heading">{reasons.length === 0 ? words.noRestriction : words.reasons(reasons.length)}</h3>
          {reasons.map((r, i) => (isStale(r) ? <StaleCard key={i} r={r} /> : isRule(r) ? <RuleCard key={`rule-${r.ruleId}`} r={r} /> : <ReasonCard key={r.restrictionId + r.personId} r={r} />))}
        </section>
      </div>
    </div>
  );
}
