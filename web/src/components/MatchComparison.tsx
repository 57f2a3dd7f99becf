/**
 * The traveller beside the register's candidates, field by field, so an officer can compare a
 * possible match with the document in hand. Written in words ("same", "similar", "differs"); the
 * scores and the matcher's internal name keys (skeletons such as IVNF) stay behind "details" in the
 * reason cards. The register's values come from the match's features: a name feature's candidate
 * reads "Иванов → IVANOV (gost, …) → IVNF" — the name as written, its Latin reading, the name key —
 * and only the first two are shown here.
 */
import type { Feature, ListReason, TravellerAnswer as Traveller } from '@api/screening';
import { t } from '../i18n';
import { longDate } from '../lib/plainDates';

type Row = 'surname' | 'givenNames' | 'patronymic' | 'dateOfBirth' | 'documentNumber';
const ROWS: { key: Row }[] = [{ key: 'surname' }, { key: 'givenNames' }, { key: 'patronymic' }, { key: 'dateOfBirth' }, { key: 'documentNumber' }];
const rowLabel = (key: Row) => (key === 'documentNumber' ? t().compare.document : t().result.fields[key]);

/** The register's value of a feature without the matcher's name key. */
export function registerValue(f: Feature): string {
  if (f.feature === 'dateOfBirth') return longDate(f.candidate);
  if (f.feature === 'documentNumber') return f.candidate;
  const [written = '', latin] = f.candidate.split(' → ');
  const reading = latin?.replace(/\s*\(.*\)\s*$/, '').trim();
  return reading && reading !== written ? `${written} (${reading})` : written;
}

/** The traveller's side of a row: as read from the zone or typed; a patronymic only from the match. */
function travellerValue(traveller: Traveller, key: Row, features: Feature[]): string {
  if (key === 'documentNumber') return [traveller.documentNumber, traveller.documentCountry ?? traveller.nationality].filter(Boolean).join(' ') || '—';
  if (key === 'patronymic') return features.find((f) => f.feature === 'patronymic')?.query.split(' → ')[0] ?? '—';
  if (key === 'dateOfBirth') return traveller.dateOfBirth ? longDate(traveller.dateOfBirth) : '—';
  return traveller[key] ?? '—';
}

const AGREEMENT = (s: number) => (s >= 0.999 ? 'same' : s >= 0.75 ? 'similar' : 'differs');

/** One column per register person among the reasons (those that count first, as the reasons are ordered). */
export function MatchComparison({ traveller, reasons, caption }: { traveller: Traveller; reasons: ListReason[]; caption: string }) {
  const candidates = reasons.filter((r, i) => reasons.findIndex((x) => x.personId === r.personId) === i);
  if (candidates.length === 0) return null;
  const features = candidates[0]!.features;
  const rows = ROWS.filter((row) => row.key !== 'patronymic' || candidates.some((c) => c.features.some((f) => f.feature === 'patronymic')));
  return (
    <div class="compare-wrap">
      <table class="compare" data-testid="match-comparison">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t().compare.field}</th>
            <th scope="col">{t().compare.traveller}</th>
            {candidates.map((c, i) => (
              <th scope="col" key={c.personId}>
                {t().compare.register(candidates.length > 1 ? ` ${i + 1}` : '', c.restrictionId)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{rowLabel(row.key)}</th>
              <td>{travellerValue(traveller, row.key, features)}</td>
              {candidates.map((c) => {
                const f = c.features.find((x) => x.feature === row.key);
                return (
                  <td key={c.personId}>
                    {f ? (
                      <>
                        {registerValue(f)} <span class={`agree agree-${AGREEMENT(f.similarity)}`}>{t().compare[AGREEMENT(f.similarity)]}</span>
                      </>
                    ) : (
                      <span class="muted">{t().compare.notCompared}</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
