/** The tokens this tab holds (role, subject, expiry), with a field to add one and a button to forget one. */
import { useEffect, useState } from 'preact/hooks';
import { addToken, expired, onTokensChanged, removeToken, tokens } from '../lib/tokens';
import { t } from '../i18n';
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
  const words = t().tokens;
  if (!auth) return <p class="tokens-off">{words.off}</p>;
  const summary = list.length === 0 ? words.none : words.held(list.map((token) => token.role).join(', '));
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
          {words.helpBefore} <code>erx auth token --role ROLE --data DIR</code> {words.helpAfter}
        </p>
        {list.length > 0 ? (
          <ul class="token-list">
            {list.map((token) => (
              <li key={token.token}>
                <strong>{token.role}</strong> {token.sub !== token.role ? `(${token.sub}${token.office ? `, ${token.office}` : ''})` : ''}{' '}
                <span class={expired(token) ? 'bad' : 'muted'}>
                  {token.exp ? `${expired(token) ? words.expired : words.validUntil} ${localTime(new Date(token.exp * 1000).toISOString())}` : ''}
                </span>{' '}
                <button type="button" class="link" onClick={() => removeToken(token.token)} aria-label={words.forgetLabel(token.role)}>
                  {words.forget}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <form onSubmit={add} class="inline-form">
          <label for="token-input">{words.add}</label>
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
          <button type="submit">{words.addButton}</button>
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
