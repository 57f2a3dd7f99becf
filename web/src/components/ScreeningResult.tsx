/**
 * A screening answer as an officer reads it: the decision, large, with what to do and whom it is about
 * (name, document, date of birth as read), so it cannot be taken for the next traveller's; for a
 * refer, which kind it is — a possible match (the traveller beside the candidates) or data too old
 * (how old, and what to do); then each reason — which restriction, its kind, legal basis and issuing
 * office, what matched, and why a restriction did not count (lifted, deferred) — and how old the
 * replica's data is. Scores and the matcher's name keys are behind "details".
 */
import { Fragment } from 'preact';
import { ago, kindLabel, label, localTime, percent } from '../lib/format';
import type { Decision } from '@api/decision';
import type { ListReason as Reason, RuleReason, ScreeningAnswer as Screening, TravellerAnswer as Traveller } from '@api/screening';
import { isRule, isStale, type StaleReason } from '../lib/types';
import { MatchComparison } from './MatchComparison';

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
  'confirmed-non-match': 'confirmed not the listed person — does not count',
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
        <dt>Matched on</dt>
        <dd>{r.matchedOn.map(label).join(', ') || 'nothing exactly: similar only'}</dd>
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
        <dt>Status</dt>
        <dd>{r.detail.split('; ').at(-1)}</dd>
      </dl>
      <details class="reason-details">
        <summary>Details: match score and how each field matched</summary>
        <p>
          Match score {percent(r.score)} (register person {r.personId}). {r.detail}
        </p>
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
      </details>
    </article>
  );
}

/** Whom an answer is about, as read: "IVANOV YURII · document 751234567 RUS · born 1999-03-04". */
export function travellerSummary(t: Traveller): string {
  const name = [t.surname, t.givenNames].filter(Boolean).join(' ') || 'name not given';
  const doc = t.documentNumber ? `document ${[t.documentNumber, t.documentCountry].filter(Boolean).join(' ')}` : 'no document number';
  return `${name} · ${doc} · ${t.dateOfBirth ? `born ${t.dateOfBirth}` : 'date of birth not given'}`;
}

export function DecisionBanner({ decision, traveller }: { decision: Decision; traveller?: Traveller }) {
  return (
    <div class={`decision decision-${decision}`} data-decision={decision}>
      <span class="decision-word">{decision.toUpperCase()}</span>
      <span class="decision-advice">{ADVICE[decision]}</span>
      {traveller ? (
        <p class="decision-about" data-testid="decision-about">
          For <strong>{[traveller.surname, traveller.givenNames].filter(Boolean).join(' ') || '(no name given)'}</strong>
          {' · '}document <strong>{traveller.documentNumber ?? '(not given)'}</strong>
          {' · '}born <strong>{traveller.dateOfBirth ?? '(not given)'}</strong>
        </p>
      ) : null}
    </div>
  );
}

/** "4 min 10 s", "2 h 5 min", "3 days": a lag as a person says it. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} days`;
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
  if (kind === 'data-too-old' || kind === 'database-damaged') {
    const stale = result.reasons.find(isStale);
    const lag = stale && stale.kind === 'replica-data-too-old' ? stale.lagSeconds : result.lagSeconds;
    const bound = stale && stale.kind === 'replica-data-too-old' ? stale.maxStalenessSeconds : null;
    return (
      <section class="refer-why" data-refer={kind} aria-labelledby="refer-heading">
        <h3 id="refer-heading">{kind === 'data-too-old' ? 'Refer: this checkpoint’s data is too old' : 'Refer: this checkpoint’s database is damaged'}</h3>
        {kind === 'data-too-old' ? (
          <p>
            This checkpoint’s copy of the register was last up to date <strong>{lag === null ? 'at an unknown time' : `${duration(lag)} ago`}</strong>
            {bound !== null ? ` (the limit is ${duration(bound)})` : ''}. A restriction issued since then would not show, so this screen cannot clear anyone.
          </p>
        ) : (
          <p>The checkpoint’s copy of the register is being rebuilt. Until it is, this screen can neither clear nor confirm a restriction.</p>
        )}
        <h4>What to do</h4>
        <ol class="steps">
          <li>Send the traveller to secondary inspection. Do not clear them from this screen.</li>
          <li>Tell your supervisor that the checkpoint’s data is {kind === 'data-too-old' ? 'not up to date' : 'being rebuilt'} (the Operations page shows its state).</li>
          <li>Screen again once the data is current.</li>
        </ol>
      </section>
    );
  }
  if (kind === 'possible-match') {
    const counting = listReasons(result).filter((r) => r.status === 'in-force');
    return (
      <section class="refer-why" data-refer={kind} aria-labelledby="refer-heading">
        <h3 id="refer-heading">Refer: a possible match with a restricted person</h3>
        <p>
          The traveller resembles {counting.length === 1 ? 'a person' : `${counting.length} persons`} with an exit restriction in force, but not closely enough to be
          sure. Compare the document in your hand with the register below; secondary inspection decides.
        </p>
        <MatchComparison traveller={result.traveller} reasons={counting} caption="The traveller beside the register’s possible match" />
      </section>
    );
  }
  return (
    <section class="refer-why" data-refer={kind} aria-labelledby="refer-heading">
      <h3 id="refer-heading">Refer: a category-wide rule needs your judgement</h3>
      <p>Whether the rule covers this traveller, or whether their exemption holds, could not be settled from the data. Check the rule below with the traveller’s documents, or send them to secondary inspection.</p>
    </section>
  );
}

export function ScreeningResult({ result }: { result: Screening }) {
  const reasons = result.reasons;
  const counting = listReasons(result).filter((r) => r.status === 'in-force');
  return (
    <div class="result">
      <DecisionBanner decision={result.decision} traveller={result.traveller} />
      <p class="freshness">
        Replica data as of <strong>{localTime(result.dataAsOf)}</strong>
        {result.lagSeconds !== null ? ` (lag ${result.lagSeconds} s)` : ' (lag unknown)'} · change {result.replicaSeq} of the register's {result.registerSeq} · screened{' '}
        {localTime(result.screenedAt)} ({ago(result.screenedAt)}){result.crossingDate ? ` · crossing date ${result.crossingDate} (${result.timeZone})` : ''} · id <code>{result.screeningId}</code>
      </p>
      <ReferWhy result={result} />
      {result.decision === 'hit' && counting.length > 0 ? (
        <MatchComparison traveller={result.traveller} reasons={counting} caption="The traveller beside the restricted person in the register" />
      ) : null}
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
