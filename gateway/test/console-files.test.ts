// The console's files as the API server serves them: only the built files, by a fixed list, with
// the console's security headers; and, when the console was not built, a page that says so and
// what to do instead of a bare 404.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { mountConsole, readConsole } from '../src/api/console-files.js';

describe('the console files', () => {
  let dir: string;
  let built: FastifyInstance;
  let missing: FastifyInstance;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-console-files-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>sensegate</title>');
    await writeFile(join(dir, 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'app.css'), 'body{}');
    await writeFile(join(dir, 'secret.txt'), 'not served');
    built = Fastify();
    mountConsole(built, readConsole(dir));
    missing = Fastify();
    mountConsole(missing, readConsole(join(dir, 'nothing-here')));
  });

  after(async () => {
    await built?.close();
    await missing?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page and its bundle with their types and the console\'s security headers', async () => {
    const page = await built.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(String(page.headers['content-security-policy']), /^default-src 'self';.*media-src 'self' blob:;.*worker-src blob:/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['cache-control'], 'no-cache');
    const js = await built.inject({ url: '/console/app.js' });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.body, 'console.log(1)');
    const again = await built.inject({ url: '/console/app.js', headers: { 'if-none-match': String(js.headers.etag) } });
    assert.equal(again.statusCode, 304, 'a reload revalidates without sending the bundle again');
    assert.equal((await built.inject({ url: '/console/app.css' })).headers['content-type'], 'text/css; charset=utf-8');
  });

  it('serves nothing that is not in its list, whatever the path says', async () => {
    for (const url of ['/console/secret.txt', '/console/..%2Fsecret.txt', '/console/%2e%2e%2fpackage.json', '/console/index.html']) {
      const res = await built.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'SG_API_NOT_FOUND', url);
    }
  });

  it('says at GET / that the console is not built, and how to build it', async () => {
    const res = await missing.inject({ url: '/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /not built.*npm run build/s);
    assert.match(res.body, /\/api\/v1\/status/);
  });
});
