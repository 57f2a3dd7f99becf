/** Entry: take tokens from the link, ask the service which side it is, draw the console. */
import { render } from 'preact';
import { App } from './App';
import { applyDocumentLanguage, t } from './i18n';
import { loadConfig } from './lib/config';
import { pickUpFragment } from './lib/tokens';
import './style.css';

const root = document.getElementById('app')!;
pickUpFragment();
applyDocumentLanguage();
loadConfig()
  .then((config) => render(<App config={config} />, root))
  .catch((err: Error) => {
    root.innerHTML = '';
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = t().frame.unreachable(err.message);
    root.append(p);
  });
