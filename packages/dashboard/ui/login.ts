/**
 * The sign-in page (served without credentials). It shows the refusal when the server
 * sent the browser back with `?error=token`, and signs in at once when the address
 * carries the token (`/ui/login#token=<t>`, the address `fleetd dev` prints): the fragment
 * never reaches the server, and is cleared before the form posts it.
 */
import './login.css';

export function tokenFromFragment(hash: string): string | undefined {
  // Not URLSearchParams: it would read a '+' of the token as a space.
  const match = /(?:^#?|&)token=([^&]*)/.exec(hash);
  if (match === null || match[1] === '') return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1];
  }
}

function start(): void {
  const form = document.querySelector('form');
  const input = document.querySelector<HTMLInputElement>('input[name="token"]');
  const error = document.getElementById('login-error');
  if (new URLSearchParams(location.search).get('error') === 'token') error?.removeAttribute('hidden');
  const token = tokenFromFragment(location.hash);
  if (token === undefined || form === null || input === null) return;
  history.replaceState(null, '', location.pathname + location.search);
  input.value = token;
  form.submit();
}

if (typeof document !== 'undefined') start();
