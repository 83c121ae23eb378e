import { render } from 'preact';
import { App } from './app';
import { boot } from './store';
import { SignIn } from './ui/sign-in';
import './styles.css';

const root = document.getElementById('app')!;

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register('./sw.js').catch((error) => console.error('calm: service worker', error));
}

function fail(error: unknown) {
  root.innerHTML = '';
  const p = document.createElement('p');
  p.className = 'boot-error';
  p.setAttribute('role', 'alert');
  p.textContent = `CalmCompliance could not start: ${error instanceof Error ? error.message : String(error)}`;
  root.append(p);
  document.documentElement.dataset.ready = 'error';
}

boot().then((started) => {
  root.textContent = '';
  if (started.kind === 'ready') render(<App />, root);
  else if (started.kind === 'signed-out') render(<SignIn waiting={started.waiting} />, root);
  else fail(new Error(started.reason));
}, fail);
