/**
 * The console's frame: which side this is (register or border replica), its pages, a link to the other
 * side's console, the token panel, and the page for the current path (/console/PAGE).
 */
import { useEffect, useState } from 'preact/hooks';
import { LanguageSwitch } from './components/LanguageSwitch';
import { TokenPanel } from './components/TokenPanel';
import { type Language, setLanguage, t } from './i18n';
import { type ConsoleConfig, PAGES, pageWords } from './lib/config';
import { peerLink } from './lib/tokens';
import { BorderOps } from './pages/BorderOps';
import { Contests } from './pages/Contests';
import { Import } from './pages/Import';
import { Manifest } from './pages/Manifest';
import { Officer } from './pages/Officer';
import { Persons } from './pages/Persons';
import { RegisterOps } from './pages/RegisterOps';
import { SelfCheck } from './pages/SelfCheck';
import { Statistics } from './pages/Statistics';

const sideName = (side: 'border' | 'register') => (side === 'border' ? t().frame.sideBorder : t().frame.sideRegister);
/** A side's name inside a sentence: lower case in English ("on the border replica"), as written elsewhere. */
const sideInText = (side: 'border' | 'register') => sideName(side).toLowerCase();
const other = (side: 'border' | 'register') => (side === 'border' ? 'register' : 'border');

export function currentPage(): string {
  return location.pathname.replace(/^\/console\/?/, '').replace(/\/+$/, '');
}

function Home({ config }: { config: ConsoleConfig }) {
  const mine = PAGES.filter((p) => p.side === config.role);
  const theirs = PAGES.filter((p) => p.side !== config.role);
  return (
    <>
      <h1>{t().frame.console(sideName(config.role))}</h1>
      <p class="lead">{t().frame.homeLead(sideInText(config.role))}</p>
      <ul class="cards">
        {mine.map((p) => (
          <li key={p.path}>
            <a href={`/console/${p.path}`}>{pageWords(p).title}</a>
            <p>{pageWords(p).blurb}</p>
          </li>
        ))}
      </ul>
      {config.peerUrl ? (
        <>
          <h2>{t().frame.onOther(sideInText(other(config.role)))}</h2>
          <ul class="cards">
            {theirs.map((p) => (
              <li key={p.path}>
                <a href={peerLink(config.peerUrl!, p.path)}>{pageWords(p).title}</a>
                <p>{pageWords(p).blurb}</p>
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
      <h1>{t().frame.elsewhere(sideInText(side))}</h1>
      {config.peerUrl ? (
        <p>
          <a href={peerLink(config.peerUrl, page)}>{t().frame.openElsewhere(sideInText(side))}</a>.
        </p>
      ) : (
        <p>{t().frame.openOwn(sideInText(side), page)}</p>
      )}
    </div>
  );
}

/** An unknown /console/… address: says so, and offers this side's pages (the header keeps its navigation too). */
function NotFound({ config, page }: { config: ConsoleConfig; page: string }) {
  return (
    <div class="card not-found">
      <h1>{t().frame.notFoundTitle}</h1>
      <p>{t().frame.notFound(page)}</p>
      <ul>
        {PAGES.filter((p) => p.side === config.role).map((p) => (
          <li key={p.path}>
            <a href={`/console/${p.path}`}>{pageWords(p).title}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Page({ config, page }: { config: ConsoleConfig; page: string }) {
  if (page === '') return <Home config={config} />;
  if (page === 'operations') return config.role === 'border' ? <BorderOps /> : <RegisterOps peerUrl={config.peerUrl} />;
  const info = PAGES.find((p) => p.path === page);
  if (!info) return <NotFound config={config} page={page} />;
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
    case 'manifests':
      return <Manifest />;
    case 'contests':
      return <Contests />;
    case 'statistics':
      return <Statistics />;
    default:
      return null;
  }
}

export function App({ config }: { config: ConsoleConfig }) {
  // Components read their words with t() while rendering: a new language re-renders the whole app.
  const [language, chooseLanguage] = useState<Language | null>(null);
  const switchLanguage = (next: Language) => {
    setLanguage(next);
    chooseLanguage(next);
  };
  const page = currentPage();
  const info = PAGES.find((p) => p.path === page && p.side === config.role);
  // A person checking their own status needs neither tokens nor the staff pages; the page names itself.
  const forPublic = page === 'self-check';
  useEffect(() => {
    if (!forPublic || config.role !== 'border') document.title = t().frame.docTitle(info ? pageWords(info).title : t().frame.consoleTitle, sideInText(config.role));
  }, [page, language]);
  return (
    <>
      <a class="skip" href="#main">
        {t().frame.skip}
      </a>
      <header class="top">
        <div class="bar">
          <a class="brand" href="/console/">
            <span class="logo" aria-hidden="true">
              erx
            </span>
            <span>{forPublic ? t().frame.selfCheckBrand : t().frame.console(sideName(config.role))}</span>
          </a>
          <nav aria-label={t().frame.pagesNav}>
            <ul>
              {PAGES.filter((p) => p.side === config.role && (!forPublic || p.path === 'self-check')).map((p) => (
                <li key={p.path}>
                  <a href={`/console/${p.path}`} aria-current={p.path === page ? 'page' : undefined}>
                    {pageWords(p).title}
                  </a>
                </li>
              ))}
              {config.peerUrl && !forPublic ? (
                <li>
                  <a class="peer" href={peerLink(config.peerUrl, config.role === 'border' ? 'persons' : 'officer')}>
                    {t().frame.consoleOf(sideName(other(config.role)))}
                  </a>
                </li>
              ) : null}
            </ul>
          </nav>
          <LanguageSwitch onChange={switchLanguage} />
        </div>
        {forPublic ? null : <TokenPanel auth={config.auth} />}
      </header>
      <main id="main" tabIndex={-1}>
        <Page config={config} page={page} />
      </main>
      <footer>
        {forPublic ? (
          t().frame.selfCheckFooter
        ) : (
          <>
            {t().frame.api}: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a> · {t().frame.metrics}: <a href="/metrics">/metrics</a>
          </>
        )}
      </footer>
    </>
  );
}
