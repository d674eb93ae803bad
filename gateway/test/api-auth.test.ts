// Who may use the gateway's HTTP API: a real fastify server with the access hooks and three routes
// that need different roles, asked over real HTTP (and HTTPS on a non-loopback address when this
// machine has one). The users file is the one `sensegate users` writes; the clock of sessions and
// login back-off is the test's, so expiry needs no waiting.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceEvent, Logger } from '@sensegate/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { mountRoutes } from '../src/api/server.js';
import { sessionRoutes } from '../src/api/routes/session.js';
import { Access, accessConfigSchema, installAccess, tlsFor, type AccessOptions, type ApiAccessConfig } from '../src/api/auth/index.js';
import { newToken, newUser, readUsers, writeUsers, type Users } from '../src/api/auth/users-file.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** One HTTP(S) request; `ca` makes it HTTPS trusting that certificate. */
function call(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; ca?: string } = {}): Promise<Answer> {
  const url = new URL(path, base);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method, headers, ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A logger that keeps every line, to check what failed logins write. */
function keptLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const fn = (fields: unknown, message?: string) => lines.push(typeof fields === 'string' ? fields : `${message ?? ''} ${JSON.stringify(fields)}`);
  const log = { trace: fn, debug: fn, info: fn, warn: fn, error: fn, child: () => log, lines } as unknown as Logger & { lines: string[] };
  return log;
}

const PASSWORDS = { alice: 'alice-admin-pw', olga: 'olga-operator-pw', vic: 'vic-viewer-pw' };

async function server(host: string, access: Access, tls?: { key: string; cert: string }): Promise<{ app: FastifyInstance; base: string }> {
  const app = (tls ? Fastify({ https: tls }) : Fastify()) as unknown as FastifyInstance;
  installAccess(app, access);
  mountRoutes(app, sessionRoutes(access));
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/api/v1/values', async (request) => ({ values: [1, 2, 3], principal: request.principal }));
  app.post('/api/v1/commands', { config: { role: 'operator' } }, async (request) => ({ done: true, by: request.principal!.user }));
  app.put('/api/v1/config', { config: { role: 'admin' } }, async () => ({ saved: true }));
  await app.listen({ host, port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, base: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

describe('HTTP API access', () => {
  let dir: string;
  let users: Users;
  const tokens: Record<string, string> = {};
  const apps: FastifyInstance[] = [];
  const accesses: Access[] = [];
  let offset = 0;
  const now = () => Date.now() + offset;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-auth-'));
    users = { version: 1, users: { alice: await newUser('admin', PASSWORDS.alice), olga: await newUser('operator', PASSWORDS.olga), vic: await newUser('viewer', PASSWORDS.vic) } };
    for (const name of ['olga', 'vic'] as const) {
      const { token, record } = await newToken(`${name}'s script`);
      users.users[name]!.tokens.push(record);
      tokens[name] = token;
    }
    await writeUsers(dir, users);
  });

  after(async () => {
    for (const app of apps) await app.close();
    for (const access of accesses) access.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(config: Partial<ApiAccessConfig> = {}, extra: Partial<AccessOptions> = {}, serve: { host: string; tls?: { key: string; cert: string } } = { host: '127.0.0.1' }) {
    const audit: DeviceEvent[] = [];
    const log = keptLog();
    const access = await Access.open({
      dataDir: dir,
      log,
      audit: (e) => audit.push(e),
      config: { ...accessConfigSchema.parse({}), host: '127.0.0.1', ...config },
      secure: false,
      now,
      ...extra,
    });
    accesses.push(access);
    const s = await server(serve.host, access, serve.tls);
    apps.push(s.app);
    return { access, audit, log, base: s.base };
  }

  const login = (base: string, user: string, password: string, ca?: string) => call(base, 'POST', '/api/v1/login', { body: { user, password }, ...(ca ? { ca } : {}) });
  const cookieOf = (answer: Answer) => String(answer.headers['set-cookie']?.[0]).split(';')[0]!;

  it('lets the gateway itself in as the local admin without a login, and nobody else', async () => {
    const local = await open();
    const me = await call(local.base, 'GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { user: 'local', role: 'admin', via: 'loopback' });
    assert.equal((await call(local.base, 'PUT', '/api/v1/config')).status, 200);
    assert.equal((await call(local.base, 'PUT', '/api/v1/config', { headers: { origin: local.base } })).status, 200, 'the gateway\'s own console page');

    // A web page open in a browser on the gateway's machine gets nothing for free.
    const rebound = await call(local.base, 'GET', '/api/v1/values', { headers: { host: 'evil.example:8080' } });
    assert.equal(rebound.status, 401, 'a DNS-rebinding site names its own domain');
    assert.match(rebound.body.error.message, /must be asked as localhost, 127\.0\.0\.1 or \[::1\]/);
    const crossSite = await call(local.base, 'POST', '/api/v1/commands', { headers: { origin: 'https://evil.example' }, body: {} });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body.error.code, 'SG_API_CSRF');
    assert.equal((await call(local.base, 'PUT', '/api/v1/config', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);

    // The same server seen from another machine: every request needs credentials.
    const remote = await open({}, { isLocal: () => false });
    const refused = await call(remote.base, 'GET', '/api/v1/values');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'SG_API_UNAUTHORIZED');
    assert.match(refused.body.error.message, /log in first/);
    assert.ok(refused.body.error.action);
    assert.equal((await call(remote.base, 'GET', '/healthz')).status, 200, 'health checks are open');

    // api.auth: required asks the gateway itself to log in as well.
    const required = await open({ auth: 'required' });
    assert.equal((await call(required.base, 'GET', '/api/v1/values')).status, 401);
    const ok = await call(required.base, 'GET', '/api/v1/values', { headers: { authorization: `Bearer ${tokens.vic}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.principal, { user: 'vic', role: 'viewer', via: 'token' });
  });

  it('checks a bearer token even from loopback, and each route\'s role', async () => {
    const { base } = await open();
    const wrong = await call(base, 'GET', '/api/v1/values', { headers: { authorization: `Bearer ${tokens.vic!.slice(0, -4)}AAAA` } });
    assert.equal(wrong.status, 401, 'a wrong token is refused, not passed over for loopback access');
    assert.match(wrong.body.error.message, /unknown or revoked/);
    offset += 10 * 60_000; // past the back-off the wrong token started

    const viewer = { authorization: `Bearer ${tokens.vic}` };
    const operator = { authorization: `Bearer ${tokens.olga}` };
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: viewer })).status, 200);
    const forbidden = await call(base, 'POST', '/api/v1/commands', { headers: viewer, body: {} });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.code, 'SG_API_FORBIDDEN');
    assert.match(forbidden.body.error.message, /POST \/api\/v1\/commands needs the operator role; user vic is viewer/);
    const done = await call(base, 'POST', '/api/v1/commands', { headers: operator, body: {} });
    assert.equal(done.status, 200, 'a token needs no CSRF header');
    assert.equal(done.body.by, 'olga');
    assert.equal((await call(base, 'PUT', '/api/v1/config', { headers: operator })).status, 403);
  });

  it('gives a console session an HttpOnly, SameSite=Strict cookie and asks for its CSRF token on every change', async () => {
    const { base, audit } = await open({}, { isLocal: () => false });
    const answer = await login(base, 'olga', PASSWORDS.olga);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.role, 'operator');
    const setCookie = String(answer.headers['set-cookie']);
    assert.match(setCookie, /^sensegate-session=[A-Za-z0-9_-]{43};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP cannot carry a Secure cookie');
    assert.ok(!JSON.stringify(answer.body).includes(cookieOf(answer).split('=')[1]!), 'the session id stays out of reach of page scripts');

    const cookie = cookieOf(answer);
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: { cookie } })).status, 200, 'reads need no CSRF token');
    const missing = await call(base, 'POST', '/api/v1/commands', { headers: { cookie }, body: {} });
    assert.equal(missing.status, 403);
    assert.equal(missing.body.error.code, 'SG_API_CSRF');
    const forged = await call(base, 'POST', '/api/v1/commands', { headers: { cookie, 'x-csrf-token': 'A'.repeat(43) }, body: {} });
    assert.equal(forged.body.error.code, 'SG_API_CSRF');
    const sent = await call(base, 'POST', '/api/v1/commands', { headers: { cookie, 'x-csrf-token': answer.body.csrf }, body: {} });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.by, 'olga');

    const me = await call(base, 'GET', '/api/v1/me', { headers: { cookie } });
    assert.equal(me.body.csrf, answer.body.csrf, 'a reloaded page gets its CSRF token back');

    assert.equal((await call(base, 'POST', '/api/v1/logout', { headers: { cookie } })).status, 403, 'logging out is a change too');
    const out = await call(base, 'POST', '/api/v1/logout', { headers: { cookie, 'x-csrf-token': answer.body.csrf } });
    assert.equal(out.status, 200);
    assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
    const ended = await call(base, 'GET', '/api/v1/values', { headers: { cookie } });
    assert.equal(ended.status, 401);
    assert.match(ended.body.error.message, /session has ended/);
    assert.match(String(ended.headers['set-cookie']), /^sensegate-session=; Max-Age=0/, 'the browser is told to drop the ended cookie');

    const kinds = audit.map((e) => `${e.type} ${e.data?.user}`);
    assert.deepEqual(kinds, ['api.login olga', 'api.logout olga']);
    assert.match(audit[0]!.message, /user olga \(operator\) logged in to the console from 127\.0\.0\.1/);
  });

  it('ends a session after its idle time and after its absolute time', async () => {
    const { base } = await open({ session: { idle: 10 * 60_000, absolute: 60 * 60_000, maxSessions: 100 } }, { isLocal: () => false });
    const a = cookieOf(await login(base, 'vic', PASSWORDS.vic));
    offset += 9 * 60_000;
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: { cookie: a } })).status, 200, 'used within the idle time');
    offset += 11 * 60_000;
    const idle = await call(base, 'GET', '/api/v1/values', { headers: { cookie: a } });
    assert.equal(idle.status, 401);
    assert.match(idle.body.error.message, /session expired: log in again/);

    const b = cookieOf(await login(base, 'vic', PASSWORDS.vic));
    for (let i = 0; i < 6; i++) {
      offset += 9 * 60_000;
      assert.equal((await call(base, 'GET', '/api/v1/values', { headers: { cookie: b } })).status, 200);
    }
    offset += 9 * 60_000; // 63 minutes after login, used every 9
    const absolute = await call(base, 'GET', '/api/v1/values', { headers: { cookie: b } });
    assert.equal(absolute.status, 401);
    assert.equal(absolute.body.error.code, 'SG_API_UNAUTHORIZED');
  });

  it('slows down logins from an address that sent wrong passwords, and logs no password', async () => {
    const { base, log } = await open({ loginBackoff: { initialDelay: 1000, maxDelay: 60_000 } }, { isLocal: () => false });
    const wrong = await login(base, 'alice', 'guess-number-one');
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.error.message, /wrong user name or password/);
    const unknown = await login(base, 'nobody', 'guess-number-two');
    assert.equal(unknown.status, 429, 'refused unread right after a failure');

    const throttled = await login(base, 'alice', PASSWORDS.alice);
    assert.equal(throttled.status, 429, 'even the right password waits');
    assert.equal(throttled.body.error.code, 'SG_API_LOGIN_THROTTLED');
    assert.equal(throttled.headers['retry-after'], '1');

    offset += 1100;
    assert.equal((await login(base, 'nobody', 'guess-number-three')).status, 401);
    const longer = await login(base, 'alice', PASSWORDS.alice);
    assert.equal(longer.status, 429);
    assert.equal(longer.headers['retry-after'], '2', 'each failure doubles the wait');

    offset += 2100;
    const good = await login(base, 'alice', PASSWORDS.alice);
    assert.equal(good.status, 200);
    offset += 10;
    assert.equal((await login(base, 'alice', 'one-more-wrong')).status, 401, 'a good login ended the penalty');

    const text = log.lines.join('\n');
    assert.match(text, /failed console login for user "alice" from 127\.0\.0\.1/);
    assert.match(text, /failed console login for user "nobody" from 127\.0\.0\.1 \(no such user\)/);
    for (const secret of ['guess-number-one', 'guess-number-three', PASSWORDS.alice, 'one-more-wrong']) assert.ok(!text.includes(secret), `the log must not hold ${secret}`);
    offset += 120_000;
  });

  it('answers a flood of logins without queueing them all for the slow hash', async () => {
    const { base } = await open({}, { isLocal: () => false });
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => login(base, 'alice', `flood-guess-${i}`)));
    const busy = answers.filter((a) => a.status === 429 && /at once/.test(a.body.error.message));
    assert.ok(busy.length > 0, 'checks beyond those running and waiting are refused at once');
    assert.ok(busy.every((a) => a.headers['retry-after'] === '1'));
    assert.ok(answers.every((a) => a.status === 401 || a.status === 429), answers.map((a) => a.status).join(','));
    offset += 10 * 60_000;
    assert.equal((await login(base, 'alice', PASSWORDS.alice)).status, 200, 'and logs in once the flood is over');
  });

  it('applies changes to the users file to a running server and audits them by name', async () => {
    const { access, base, audit } = await open({}, { isLocal: () => false });
    const vicSession = await login(base, 'vic', PASSWORDS.vic);
    const bearer = { authorization: `Bearer ${tokens.vic}` };
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: bearer })).status, 200);

    const changed = await readUsers(dir);
    delete changed.users.vic;
    changed.users.olga!.role = 'admin';
    changed.users.carl = await newUser('viewer', 'carl-viewer-pw');
    await writeUsers(dir, changed);
    await access.reload();

    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: bearer })).status, 401, 'a removed user\'s token ends');
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: { cookie: cookieOf(vicSession) } })).status, 401, 'and their session');
    assert.equal((await call(base, 'PUT', '/api/v1/config', { headers: { authorization: `Bearer ${tokens.olga}` } })).status, 200, 'a new role applies at once');
    const carl = await login(base, 'carl', 'carl-viewer-pw');
    assert.equal(carl.status, 200);
    const carlAgain = await call(base, 'POST', '/api/v1/login', { body: { user: 'carl', password: 'carl-viewer-pw' }, headers: { cookie: cookieOf(carl) } });
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: { cookie: cookieOf(carl) } })).status, 401, 'a new login ends the session the browser held');
    const carlSession = { cookie: cookieOf(carlAgain) };
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: carlSession })).status, 200);
    const newPassword = await readUsers(dir);
    newPassword.users.carl = { ...newPassword.users.carl!, password: (await newUser('viewer', 'carl-new-password')).password };
    await writeUsers(dir, newPassword);
    await access.reload();
    assert.equal((await call(base, 'GET', '/api/v1/values', { headers: carlSession })).status, 401, 'a new password ends the user\'s sessions');

    const events = audit.map((e) => `${e.type} ${e.data?.user}`);
    assert.ok(events.includes('user.removed vic'), events.join(', '));
    assert.ok(events.includes('user.role olga'));
    assert.ok(events.includes('user.added carl'));
    assert.ok(events.includes('user.password carl'));
    await writeUsers(dir, users);
    await access.reload();
  });

  it('refuses a corrupt users file by name, and an API beyond loopback without users or TLS', async () => {
    const other = await mkdtemp(join(tmpdir(), 'sensegate-auth-bad-'));
    try {
      const base = { log: keptLog(), audit: () => {}, secure: false };
      await writeFile(join(other, 'users.json'), '{"version":1,"users":{"eve":{"role":"root"');
      await assert.rejects(Access.open({ ...base, dataDir: other, config: { ...accessConfigSchema.parse({}), host: '127.0.0.1' } }), (err: any) => {
        assert.equal(err.code, 'SG_USERS_FILE_INVALID');
        assert.ok(err.message.includes(join(other, 'users.json')));
        assert.match(err.message, /not valid JSON.*restore .* from a backup, or move it aside/);
        return true;
      });
      await writeFile(join(other, 'users.json'), JSON.stringify({ version: 1, users: { eve: { role: 'root', password: 'x', created: '' } } }));
      await assert.rejects(Access.open({ ...base, dataDir: other, config: { ...accessConfigSchema.parse({}), host: '127.0.0.1' } }), /users\.eve\.role/);

      await rm(join(other, 'users.json'));
      await assert.rejects(Access.open({ ...base, secure: true, dataDir: other, config: { ...accessConfigSchema.parse({}), host: '0.0.0.0' } }), /beyond loopback, and .* has no users, so nobody could log in: add one with `sensegate users add/);
      await assert.rejects(Access.open({ ...base, dataDir: dir, config: { ...accessConfigSchema.parse({}), host: '0.0.0.0' } }), /must be served over TLS/);
      await assert.rejects(Access.open({ ...base, dataDir: other, config: { ...accessConfigSchema.parse({ auth: 'required' }), host: '127.0.0.1' } }), /api\.auth is required and .* has no users/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('serves a non-loopback address over TLS with a generated certificate and Secure cookies', async () => {
    const address = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
    const host = address ?? '127.0.0.1';
    const tls = await tlsFor({ host: address ?? '0.0.0.0', tls: undefined }, dir);
    assert.ok(tls, 'beyond loopback the API has a certificate');
    assert.equal(tls.source, 'generated');
    assert.match(tls.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(((await stat(join(dir, 'api-tls', 'key.pem'))).mode & 0o777).toString(8), '600');
    const again = await tlsFor({ host: address ?? '0.0.0.0', tls: undefined }, dir);
    assert.equal(again!.fingerprint, tls.fingerprint, 'generated once, then kept');
    assert.equal(await tlsFor({ host: '127.0.0.1', tls: undefined }, dir), undefined, 'loopback stays plain HTTP');

    // Without a non-loopback address on this machine, the server on loopback plays one.
    const { base: served } = await open({ host: address ?? '0.0.0.0' }, { secure: true, ...(address ? {} : { isLocal: () => false }) }, { host, tls });
    const refused = await call(served, 'GET', '/api/v1/values', { ca: tls.cert });
    assert.equal(refused.status, 401);
    const answer = await login(served, 'alice', PASSWORDS.alice, tls.cert);
    assert.equal(answer.status, 200);
    const setCookie = String(answer.headers['set-cookie']);
    assert.match(setCookie, /^__Host-sensegate-session=/);
    assert.match(setCookie, /; Secure/);
    assert.match(setCookie, /HttpOnly/);
    const me = await call(served, 'GET', '/api/v1/me', { ca: tls.cert, headers: { cookie: cookieOf(answer) } });
    assert.deepEqual({ user: me.body.user, via: me.body.via }, { user: 'alice', via: 'session' });
    assert.equal((await readFile(join(dir, 'users.json'), 'utf8')).includes(PASSWORDS.alice), false);
  });
});
