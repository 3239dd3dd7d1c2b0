/** Entry point: the shell (navigation, live indicator, sign-out), session check and hash routing. */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, setUnauthorisedHandler, type Session } from './api.js';
import { el, note } from './dom.js';
import { onLiveState, startLive, stopLive } from './live.js';
import type { Page } from './page.js';
import { anomaliesPage } from './pages/anomalies.js';
import { anomalyPage } from './pages/anomaly.js';
import { overview } from './pages/overview.js';
import { signIn } from './pages/signin.js';
import { sourcesPage } from './pages/sources.js';
import { templatesPage } from './pages/templates.js';
import { parseHash, type Route } from './router.js';

const PAGES: Record<Route['page'], Page> = {
  overview,
  anomalies: anomaliesPage,
  anomaly: anomalyPage,
  templates: templatesPage,
  sources: sourcesPage,
  notfound: (ctx) => {
    ctx.root.append(note('No such page.'));
  },
};

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const liveDot = document.getElementById('live')!;
const signOut = document.getElementById('signout') as HTMLButtonElement;
let leave: (() => void) | void;
let session: Session | undefined;

function route(): void {
  if (leave) leave();
  leave = undefined;
  const r = parseHash(location.hash);
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', parseHash(a.hash).page === r.page || (r.page === 'anomaly' && a.hash === '#/anomalies'));
  const root = el('div', { class: `page page-${r.page}` });
  main.replaceChildren(root);
  leave = PAGES[r.page]({ root, route: r, go: (hash) => (location.hash = hash) });
}

function showSignIn(): void {
  if (leave) leave();
  leave = undefined;
  session = undefined;
  stopLive();
  nav.hidden = true;
  signIn(main, () => void start());
}

async function start(): Promise<void> {
  try {
    session = await api.session();
  } catch (e) {
    main.replaceChildren(note(`The logradar server does not answer: ${e instanceof Error ? e.message : String(e)}`, 'error'));
    return;
  }
  if (session.auth === 'required' && !session.signedIn) return showSignIn();
  nav.hidden = false;
  signOut.hidden = session.auth !== 'required';
  startLive();
  route();
}

onLiveState((s) => {
  liveDot.className = `live live-${s}`;
  liveDot.dataset.state = s;
  liveDot.textContent = s === 'live' ? 'live' : s === 'connecting' ? 'connecting…' : 'offline';
});
setUnauthorisedHandler(showSignIn);
signOut.addEventListener('click', () => {
  api
    .signOut()
    .catch(() => undefined)
    .finally(() => void start());
});
window.addEventListener('hashchange', () => {
  if (session && (session.auth === 'none' || session.signedIn)) route();
});
void start();
