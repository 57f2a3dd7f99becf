/**
 * The console's frame: which side this is (register or border replica), its pages, a link to the other
 * side's console, the token panel, and the page for the current path (/console/PAGE).
 */
import { useEffect } from 'preact/hooks';
import { TokenPanel } from './components/TokenPanel';
import { type ConsoleConfig, PAGES } from './lib/config';
import { peerLink } from './lib/tokens';
import { BorderOps } from './pages/BorderOps';
import { Import } from './pages/Import';
import { Officer } from './pages/Officer';
import { Persons } from './pages/Persons';
import { RegisterOps } from './pages/RegisterOps';
import { SelfCheck } from './pages/SelfCheck';
import { Statistics } from './pages/Statistics';

const SIDE_NAME = { border: 'Border replica', register: 'Register' } as const;
const other = (side: 'border' | 'register') => (side === 'border' ? 'register' : 'border');

export function currentPage(): string {
  return location.pathname.replace(/^\/console\/?/, '').replace(/\/+$/, '');
}

function Home({ config }: { config: ConsoleConfig }) {
  const mine = PAGES.filter((p) => p.side === config.role);
  const theirs = PAGES.filter((p) => p.side !== config.role);
  return (
    <>
      <h1>{SIDE_NAME[config.role]} console</h1>
      <p class="lead">
        erx carries exit restrictions from the offices that issue them (the register) to the checkpoints that enforce them (border replicas). This is the{' '}
        {config.role === 'border' ? 'border replica' : 'register'}'s console.
      </p>
      <ul class="cards">
        {mine.map((p) => (
          <li key={p.path}>
            <a href={`/console/${p.path}`}>{p.title}</a>
            <p>{p.blurb}</p>
          </li>
        ))}
      </ul>
      {config.peerUrl ? (
        <>
          <h2>On the {SIDE_NAME[other(config.role)].toLowerCase()}</h2>
          <ul class="cards">
            {theirs.map((p) => (
              <li key={p.path}>
                <a href={peerLink(config.peerUrl!, p.path)}>{p.title}</a>
                <p>{p.blurb}</p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

function ElsewhereNotice({ config, page }: { config: ConsoleConfig; page: string }) {
  const side = other(config.role);
  return (
    <div class="card">
      <h1>This page is on the {SIDE_NAME[side].toLowerCase()}</h1>
      {config.peerUrl ? (
        <p>
          <a href={peerLink(config.peerUrl, page)}>Open it on the {SIDE_NAME[side].toLowerCase()} console</a>.
        </p>
      ) : (
        <p>Open the {SIDE_NAME[side].toLowerCase()}'s own console (the demo prints its address) at /console/{page}.</p>
      )}
    </div>
  );
}

function Page({ config, page }: { config: ConsoleConfig; page: string }) {
  if (page === '') return <Home config={config} />;
  if (page === 'operations') return config.role === 'border' ? <BorderOps /> : <RegisterOps peerUrl={config.peerUrl} />;
  const info = PAGES.find((p) => p.path === page);
  if (!info) return <h1>No page “{page}” here</h1>;
  if (info.side !== config.role) return <ElsewhereNotice config={config} page={page} />;
  switch (page) {
    case 'officer':
      return <Officer />;
    case 'self-check':
      return <SelfCheck />;
    case 'persons':
      return <Persons />;
    case 'import':
      return <Import />;
    case 'statistics':
      return <Statistics />;
    default:
      return null;
  }
}

export function App({ config }: { config: ConsoleConfig }) {
  const page = currentPage();
  const info = PAGES.find((p) => p.path === page && p.side === config.role);
  // A person checking their own status needs neither tokens nor the staff pages; the page names itself.
  const forPublic = page === 'self-check';
  useEffect(() => {
    if (!forPublic || config.role !== 'border') document.title = `${info?.title ?? 'Console'} — erx ${SIDE_NAME[config.role].toLowerCase()}`;
  }, [page]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="bar">
          <a class="brand" href="/console/">
            <span class="logo" aria-hidden="true">
              erx
            </span>
            <span>{forPublic ? 'Exit restriction self-check' : `${SIDE_NAME[config.role]} console`}</span>
          </a>
          <nav aria-label="Pages">
            <ul>
              {PAGES.filter((p) => p.side === config.role && (!forPublic || p.path === 'self-check')).map((p) => (
                <li key={p.path}>
                  <a href={`/console/${p.path}`} aria-current={p.path === page ? 'page' : undefined}>
                    {p.title}
                  </a>
                </li>
              ))}
              {config.peerUrl && !forPublic ? (
                <li>
                  <a class="peer" href={peerLink(config.peerUrl, config.role === 'border' ? 'persons' : 'officer')}>
                    {SIDE_NAME[other(config.role)]} console →
                  </a>
                </li>
              ) : null}
            </ul>
          </nav>
        </div>
        {forPublic ? null : <TokenPanel auth={config.auth} />}
      </header>
      <main id="main" tabIndex={-1}>
        <Page config={config} page={page} />
      </main>
      <footer>
        {forPublic ? 'erx — exit restriction self-check' : <>API: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a> · metrics: <a href="/metrics">/metrics</a></>}
      </footer>
    </>
  );
}
