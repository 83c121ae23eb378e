import { render } from 'preact';
import { App } from './app';
import { boot, type OrgSize } from './store';
import './styles.css';

const root = document.getElementById('app')!;
const org: OrgSize = new URLSearchParams(location.search).get('org') === 'large' ? 'large' : 'small';

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('./sw.js').catch((error) => console.error('calm: service worker', error));
}

boot(org).then(
  () => {
    root.textContent = '';
    render(<App />, root);
  },
  (error: unknown) => {
    root.innerHTML = '';
    const p = document.createElement('p');
    p.className = 'boot-error';
    p.setAttribute('role', 'alert');
    p.textContent = `CalmCompliance could not start: ${error instanceof Error ? error.message : String(error)}`;
    root.append(p);
  },
);
