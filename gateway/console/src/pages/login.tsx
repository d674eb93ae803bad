/**
 * Sign in: user and password to `POST /api/v1/login`, then back to the page that needed it. On the
 * gateway's own machine no login is needed (loopback access); signing in there acts as that user.
 */
import { useState } from 'preact/hooks';
import { ApiFailure, login } from '../api.js';
import { Failure } from '../components/failure.js';
import type { PageProps } from './index.js';

export function LoginPage({ query }: PageProps) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiFailure | undefined>();
  const [busy, setBusy] = useState(false);
  const next = query.get('next') ?? '/';
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(user, password);
      location.hash = `#${next.startsWith('/') && !next.startsWith('/login') ? next : '/'}`;
    } catch (err) {
      setError(err instanceof ApiFailure ? err : new ApiFailure(0, 'CONSOLE', (err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="login">
      <h1>Sign in</h1>
      <form onSubmit={submit} class="stack">
        <label>
          User
          <input name="user" autocomplete="username" required value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <Failure error={error} />
      <p class="muted">
        Users are added on the gateway with <code>sensegate users add NAME --role viewer|operator|admin</code>.
      </p>
    </section>
  );
}
