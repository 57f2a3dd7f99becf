/** The tokens this tab holds (role, subject, expiry), with a field to add one and a button to forget one. */
import { useEffect, useState } from 'preact/hooks';
import { addToken, expired, onTokensChanged, removeToken, tokens } from '../lib/tokens';
import { localTime } from '../lib/format';

export function useTokens() {
  const [list, setList] = useState(tokens());
  useEffect(() => onTokensChanged(() => setList(tokens())), []);
  return list;
}

export function TokenPanel({ auth }: { auth: boolean }) {
  const list = useTokens();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!auth) return <p class="tokens-off">Authentication is off on this service: no token needed.</p>;
  const summary = list.length === 0 ? 'Tokens: none — add one' : `Tokens: ${list.map((t) => t.role).join(', ')}`;
  const add = (e: Event) => {
    e.preventDefault();
    const problem = addToken(draft);
    setError(problem);
    if (!problem) setDraft('');
  };
  return (
    <details class="tokens" open={list.length === 0}>
      <summary>{summary}</summary>
      <div class="tokens-body">
        <p class="help">
          Requests carry a bearer token for a role (checkpoint, operator, auditor…). Tokens stay in this browser tab only. The demo prints
          console links that carry them; <code>erx auth token --role ROLE --data DIR</code> makes one.
        </p>
        {list.length > 0 ? (
          <ul class="token-list">
            {list.map((t) => (
              <li key={t.token}>
                <strong>{t.role}</strong> {t.sub !== t.role ? `(${t.sub}${t.office ? `, ${t.office}` : ''})` : ''}{' '}
                <span class={expired(t) ? 'bad' : 'muted'}>{t.exp ? `${expired(t) ? 'expired' : 'valid until'} ${localTime(new Date(t.exp * 1000).toISOString())}` : ''}</span>{' '}
                <button type="button" class="link" onClick={() => removeToken(t.token)} aria-label={`Forget the ${t.role} token`}>
                  forget
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <form onSubmit={add} class="inline-form">
          <label for="token-input">Add a token</label>
          <input
            id="token-input"
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={draft}
            onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
            aria-describedby={error ? 'token-error' : undefined}
            aria-invalid={error ? true : undefined}
          />
          <button type="submit">Add</button>
        </form>
        {error ? (
          <p class="note note-error" role="alert" id="token-error">
            {error}
          </p>
        ) : null}
      </div>
    </details>
  );
}
