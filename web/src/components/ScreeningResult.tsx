/**
 * A screening answer as an officer reads it: the decision, large, with what to do; then each reason —
 * which restriction, its kind, legal basis and issuing office, what matched and how strongly, and why
 * a restriction did not count (lifted, deferred) — and how old the replica's data is.
 */
import { Fragment } from 'preact';
import { ago, kindLabel, label, localTime, percent } from '../lib/format';
import type { Decision } from '@api/decision';
import type { ListReason as Reason, RuleReason, ScreeningAnswer as Screening, TravellerAnswer as Traveller } from '@api/screening';
import { isRule, isStale, type StaleReason } from '../lib/types';

export const ADVICE: Record<Decision, string> = {
  hit: 'Do not let pass: an exit restriction in force matches this traveller.',
  refer: 'Send to secondary inspection: a possible match, or the data may be out of date.',
  clear: 'No exit restriction in force matches this traveller.',
};

const STATUS: Record<Reason['status'], string> = {
  'in-force': 'in force — counts',
  deferred: 'deferred — does not count',
  lifted: 'lifted — does not count',
  expired: 'expired — does not count',
  'not-yet-in-force': 'not yet in force — does not count',
};

const FIELD_NAMES: Partial<Record<keyof Traveller, string>> = { surname: 'Surname', givenNames: 'Given names', dateOfBirth: 'Date of birth', sex: 'Sex', documentNumber: 'Document number', nationality: 'Nationality', documentCountry: 'Issuing state' };

const RULE_STATUS: Record<RuleReason['status'], { text: string; badge: string }> = {
  'in-scope': { text: 'in scope — counts', badge: 'in-force' },
  'scope-unclear': { text: 'scope unclear — officer decides', badge: 'not-yet-in-force' },
  'exemption-unconfirmed': { text: 'exemption not confirmed — officer decides', badge: 'not-yet-in-force' },
  'deferment-not-listed': { text: 'deferment of another category — officer decides', badge: 'not-yet-in-force' },
  exempt: { text: 'exempt — does not count', badge: 'deferred' },
};

const CHECK = { yes: 'yes', no: 'no', unknown: 'unknown' } as const;

/** A category-wide rule: which version decided, on what basis, and each scope condition as checked. */
function RuleCard({ r }: { r: RuleReason }) {
  const status = RULE_STATUS[r.status];
  return (
    <article class={`reason reason-${status.badge}`} aria-label={`Rule ${r.ruleId}`}>
      <h4>
        {r.ruleId} <span class="kind">category-wide rule, version {r.ruleVersion}</span> <span class={`badge badge-${status.badge}`}>{status.text}</span>
      </h4>
      <dl class="pairs">
        <dt>Rule</dt>
        <dd>{r.title}</dd>
        <dt>Legal basis</dt>
        <dd>{r.basis}</dd>
        <dt>Authority</dt>
        <dd>{r.authority}</dd>
        {r.exemption ? (
          <>
            <dt>{r.exemption.kind === 'exemption' ? 'Exemption' : 'Deferment'}</dt>
            <dd>
              {r.exemption.category}, valid {r.exemption.validFrom} to {r.exemption.validTo} (register person {r.exemption.personId}, match {percent(r.exemption.score)})
            </dd>
          </>
        ) : null}
        <dt>Why</dt>
        <dd>{r.detail}</dd>
      </dl>
      <table class="features">
        <caption>Scope, as checked on the day of crossing</caption>
        <thead>
          <tr>
            <th scope="col">Condition</th>
            <th scope="col">Met</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {r.checks.map((c, i) => (
            <tr key={i}>
              <th scope="row">{c.condition}</th>
              <td>{CHECK[c.result]}</td>
              <td>{c.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

export function TravellerRead({ traveller }: { traveller: Traveller }) {
  const shown = (Object.keys(FIELD_NAMES) as (keyof Traveller)[]).filter((k) => traveller[k]);
  return (
    <dl class="pairs">
      {shown.map((k) => (
        <Fragment key={k}>
          <dt>{FIELD_NAMES[k]}</dt>
          <dd>{String(traveller[k])}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function StaleCard({ r }: { r: StaleReason }) {
  return (
    <article class="reason reason-stale">
      <h4>{r.kind === 'replica-database-damaged' ? 'Replica database damaged — being rebuilt' : 'Replica data too old'}</h4>
      <p>{r.detail}</p>
    </article>
  );
}

function ReasonCard({ r }: { r: Reason }) {
  return (
    <article class={`reason reason-${r.status}`} aria-label={`Restriction ${r.restrictionId}`}>
      <h4>
        {r.restrictionId} <span class="kind">{kindLabel(r.kind)}</span> <span class={`badge badge-${r.status}`}>{STATUS[r.status]}</span>
      </h4>
      <dl class="pairs">
        <dt>Legal basis</dt>
        <dd>{r.basis}</dd>
        <dt>Issuing office</dt>
        <dd>{r.office}</dd>
        <dt>Match</dt>
        <dd>
          {percent(r.score)} on {r.matchedOn.map(label).join(', ') || '—'} (register person {r.personId})
        </dd>
        {r.inForceFrom ? (
          <>
            <dt>In force from</dt>
            <dd>{localTime(r.inForceFrom)}</dd>
          </>
        ) : null}
        {r.liftedAt ? (
          <>
            <dt>Lifted</dt>
            <dd>{localTime(r.liftedAt)}</dd>
          </>
        ) : null}
        {r.expiresAt ? (
          <>
            <dt>Expires</dt>
            <dd>{localTime(r.expiresAt)}</dd>
          </>
        ) : null}
        <dt>Why</dt>
        <dd>{r.detail}</dd>
      </dl>
      {r.features && r.features.length > 0 ? (
        <table class="features">
          <caption>How each field matched</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Traveller</th>
              <th scope="col">Register</th>
              <th scope="col">Similarity</th>
            </tr>
          </thead>
          <tbody>
            {r.features.map((f, i) => (
              <tr key={i}>
                <th scope="row">{label(f.feature)}</th>
                <td>{f.query}</td>
                <td>{f.candidate}</td>
                <td title={f.detail}>{percent(f.similarity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </article>
  );
}

export function DecisionBanner({ decision }: { decision: Decision }) {
  return (
    <div class={`decision decision-${decision}`} data-decision={decision}>
      <span class="decision-word">{decision.toUpperCase()}</span>
      <span class="decision-advice">{ADVICE[decision]}</span>
    </div>
  );
}

export function ScreeningResult({ result }: { result: Screening }) {
  const reasons = result.reasons;
  return (
    <div class="result">
      <DecisionBanner decision={result.decision} />
      <p class="freshness">
        Replica data as of <strong>{localTime(result.dataAsOf)}</strong>
        {result.lagSeconds !== null ? ` (lag ${result.lagSeconds} s)` : ' (lag unknown)'} · change {result.replicaSeq} of the register's {result.registerSeq} · screened{' '}
        {localTime(result.screenedAt)} ({ago(result.screenedAt)}){result.crossingDate ? ` · crossing date ${result.crossingDate} (${result.timeZone})` : ''} · id <code>{result.screeningId}</code>
      </p>
      <div class="columns">
        <section aria-labelledby="read-heading">
          <h3 id="read-heading">Traveller as read</h3>
          <TravellerRead traveller={result.traveller} />
        </section>
        <section aria-labelledby="reasons-heading" class="grow">
          <h3 id="reasons-heading">{reasons.length === 0 ? 'No restriction found for this traveller' : `Reasons (${reasons.length})`}</h3>
          {reasons.map((r, i) => (isStale(r) ? <StaleCard key={i} r={r} /> : isRule(r) ? <RuleCard key={`rule-${r.ruleId}`} r={r} /> : <ReasonCard key={r.restrictionId + r.personId} r={r} />))}
        </section>
      </div>
    </div>
  );
}
