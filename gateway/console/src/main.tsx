/**
 * The console's entry: the frame (header, navigation, who is signed in) and a hash router over the
 * page registry (pages/index.ts). The hash keeps every page a plain URL that reloads and bookmarks
 * without the server knowing the console's routes: the server serves one page, `GET /`.
 *
 * Invariants: it asks `GET /api/v1/me` once at start (a reloaded page learns its CSRF token again);
 * a page that needs a login is sent to #/login by api.ts, and back after it.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { loadUser, logout } from './api.js';
import { useUser } from './hooks.js';
import { pages, type PageEntry } from './pages/index.js';
import './console.css';

interface Route {
  page: PageEntry | undefined;
  params: Record<string, string>;
  query: URLSearchParams;
  path: string;
}

export function matchRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?', 2);
  const path = pathPart.length > 1 ? pathPart.replace(/\/+$/, '') : pathPart;
  const query = new URLSearchParams(queryPart);
  const parts = path.split('/').filter(Boolean);
  for (const page of pages) {
    const pattern = page.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      if (p.startsWith(':')) {
        try {
          params[p.slice(1)] = decodeURIComponent(parts[i]!);
        } catch {
          return false;
        }
        return true;
      }
      return p === parts[i];
    });
    if (ok) return { page, params, query, path };
  }
  return { page: undefined, params: {}, query, path };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function App() {
  const hash = useHash();
  const me = useUser();
  const [ready, setReady] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    loadUser()
      .catch(() => undefined)
      .finally(() => setReady(true));
  }, []);
  const route = matchRoute(hash);
  useEffect(() => {
    const t = route.page ? (typeof route.page.title === 'function' ? route.page.title(route.params) : route.page.title) : 'Not found';
    document.title = `${t} · sensegate`;
    setMenuOpen(false);
  }, [hash]);
  const Page = route.page?.component;
  const section = '/' + (route.path.split('/')[1] ?? '');
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          sensegate
        </a>
        <button class="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav id="nav" class={menuOpen ? 'open' : ''}>
          {pages
            .filter((p) => p.nav)
            .map((p) => (
              <a href={`#${p.path}`} class={section === p.path ? 'active' : ''} aria-current={section === p.path ? 'page' : undefined}>
                {p.nav}
              </a>
            ))}
        </nav>
        <div class="who">
          {me ? (
            <>
              <span class="user" data-role={me.role}>
                {me.user} <span class="muted">({me.role})</span>
              </span>
              {me.via === 'session' ? (
                <button class="link" onClick={() => void logout()}>
                  Sign out
                </button>
              ) : (
                <a href="#/login">Sign in as…</a>
              )}
            </>
          ) : ready ? (
            <a href="#/login">Sign in</a>
          ) : null}
        </div>
      </header>
      <main>
        {!ready ? (
          <p class="muted">Connecting to the gateway…</p>
        ) : Page ? (
          <Page key={route.path} params={route.params} query={route.query} />
        ) : (
          <section>
            <h1>Not found</h1>
            <p>
              There is no console page at <code>{route.path}</code>. <a href="#/">Go to the overview</a>.
            </p>
          </section>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the notice shown until the script runs
render(<App />, root);
