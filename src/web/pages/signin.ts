/** The token form shown when the server requires a token and this browser has no session yet. */
import { ApiError, api } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../page.js';

export function signIn(root: HTMLElement, done: () => void): void {
  const token = el('input', { testid: 'signin-token', attrs: { type: 'password', autocomplete: 'current-password', required: '', 'aria-label': 'token' } });
  const error = el('p', { class: 'note note-error', testid: 'signin-error' });
  error.hidden = true;
  const submit = el('button', { testid: 'signin-submit', attrs: { type: 'submit' } }, 'Sign in');
  const form = el(
    'form',
    { class: 'card signin', testid: 'signin' },
    el('h1', {}, 'Sign in'),
    el('p', {}, 'This logradar server requires a token (auth.token, auth.readTokens or LOGRADAR_TOKEN). It is sent once; the browser then keeps an HttpOnly session cookie.'),
    el('label', {}, 'Token', token),
    submit,
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    api
      .signIn(token.value)
      .then(done)
      .catch((err: unknown) => {
        error.hidden = false;
        error.textContent = err instanceof ApiError && (err.status === 401 || err.status === 403) ? 'That token was not accepted.' : `Sign-in failed: ${errorText(err)}`;
        submit.disabled = false;
      });
  });
  root.replaceChildren(form);
  token.focus();
}
