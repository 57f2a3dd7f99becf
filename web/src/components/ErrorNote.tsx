/** An error the person can act on: what went wrong, which field, what to do. Announced at once. */
import { t } from '../i18n';
import { ApiError } from '../lib/api';

export function errorText(err: unknown): { message: string; field?: string; hint?: string } {
  if (err instanceof ApiError) return { message: err.message, ...(err.field ? { field: err.field } : {}), ...(err.hint ? { hint: err.hint } : {}) };
  return { message: (err as Error)?.message ?? String(err) };
}

export function ErrorNote({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const { message, field, hint } = errorText(error);
  return (
    <div class="note note-error" role="alert" id={id}>
      <strong>{t().errors.error} </strong>
      {message}
      {field ? (
        <span class="field">
          {' '}
          ({t().errors.field} <code>{field}</code>)
        </span>
      ) : null}
      {hint ? <p class="hint">{hint}</p> : null}
    </div>
  );
}
