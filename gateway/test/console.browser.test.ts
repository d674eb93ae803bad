// The browser console as a field engineer uses it: a real Chromium (Debian's, driven by
// playwright-core) against a real gateway polling a simulated pump station, with real users. It
// checks what a person sees: the overview, values that move without a reload, a device that drops
// off and comes back, an operator's write that reaches the device, a viewer's write refused, and a
// configuration typo shown at its line. Nothing here asserts how fast anything was.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { newUser, writeUsers } from '../src/api/auth/users-file.js';
import { ApiServer } from '../src/api/server.js';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PROFILE = fileURLToPath(new URL('../../drivers/modbus/profiles/pump-station.yaml', import.meta.url));
const BUILD_CONSOLE = fileURLToPath(new URL('../scripts/build-console.mjs', import.meta.url));
const POLL = 1_000;
/** How long the page may take to show what the gateway knows: two poll intervals and the page's own refresh. */
const ON_SCREEN = 2 * POLL + 4_000;
const PASSWORD = 'pump room 7 password';

describe('the browser console', () => {
  let dir: string;
  let broker: TestBroker;
  let sim: ModbusSimulator;
  let gateway: Gateway;
  let api: ApiServer;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  /** A fresh browser profile (own cookies), like another person's phone. */
  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function signIn(page: Page, user: string): Promise<void> {
    await page.goto(`${base}/#/login`);
    await page.getByLabel('User').fill(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator(`.who .user:has-text("${user}")`).waitFor();
  }

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `the console's browser tests drive Chromium at ${CHROMIUM}, which is not installed: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH`,
    );
    // The tests run from the sources: build the console's bundle from them, as npm run build does.
    execFileSync(process.execPath, [BUILD_CONSOLE], { stdio: 'pipe' });
    dir = await mkdtemp(join(tmpdir(), 'sensegate-console-'));
    broker = await testBroker();
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    const dataDir = join(dir, 'data');
    await writeUsers(dataDir, {
      version: 1,
      users: { vera: await newUser('viewer', PASSWORD), otto: await newUser('operator', PASSWORD) },
    });
    const file = join(dir, 'site.yaml');
    await writeFile(
      file,
      `gateway: { id: console-gw, name: Console test station }
devices:
  - id: pump-1
    name: Intake pump station
    driver: modbus
    profile: pump-station
    pollInterval: ${POLL}ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
commands:
  allow: [pump-1/speedSetpoint]
sinks:
  - type: mqtt
    url: ${broker.url}
api:
  port: 0
  history: { samples: 50, interval: 500ms }
`,
    );
    const loaded = await loadConfigFile(file);
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, sinks: loaded.sinks, dataDir, log: silentLogger });
    api = await ApiServer.start(gateway, { config: loaded.config.api, log: silentLogger });
    base = api.url!;
    await waitFor('the pump station online', () => gateway.status().devices[0]?.state === 'online', { timeout: 15_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await api?.stop();
    await gateway?.stop();
    await sim?.close();
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves its page with its own files only, and the overview shows the gateway, its sink, journal and devices by state', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal((await fetch(`${base}/console/..%2Fpackage.json`)).status, 404);

    const page = await newPage();
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    await page.goto(`${base}/`);
    await page.locator('.tile.gateway:has-text("Console test station")').waitFor();
    await page.locator('.tile.gateway .badge:has-text("ready")').waitFor();
    await page.locator('.tile.devices .state-count[data-state="online"] .count:text-is("1")').waitFor();
    await page.locator('table[aria-label="Sinks"] tbody tr .badge.ok:text-is("connected")').waitFor();
    await page.locator('.tile.journal dd').first().waitFor();
    assert.deepEqual(outside, [], 'the console asks nothing of any other server');
  });

  it('shows a value changing on screen without a reload', async () => {
    const page = await newPage();
    await page.goto(`${base}/#/devices/pump-1`);
    const flow = page.locator('.value[data-point="flow"]');
    await flow.filter({ hasText: /\d/ }).waitFor();
    const first = await flow.textContent();
    assert.ok(first);
    await flow.filter({ hasNotText: first }).waitFor();
    assert.match((await flow.textContent()) ?? '', /m3\/h/, 'the value is shown with its unit');
    await page.locator('tr[data-key="flow"] .quality-good').waitFor();
    await page.locator('tr[data-key="flow"] svg.sparkline').waitFor();
    await page.locator('.plan .group:has-text("holding")').waitFor();
  });

  it('turns a device offline on screen when it drops off, with the reason, and online again when it is back', async () => {
    const page = await newPage();
    await page.goto(`${base}/#/devices`);
    const row = page.locator('tr[data-key="pump-1"]');
    await row.locator('.state-online').waitFor();
    await sim.stop(); // the simulator's `stop` fault: it stops listening and closes its clients
    try {
      await row.locator('.state-offline').waitFor({ timeout: ON_SCREEN });
      assert.match((await row.textContent()) ?? '', /offline/, 'the state is in words, not colour alone');
      assert.ok(((await row.locator('.reason').textContent()) ?? '').length > 10, 'the reason is given in words');
    } finally {
      await sim.start();
    }
    await row.locator('.state-online').waitFor({ timeout: 30_000 });
  });

  it('lets an operator write a setpoint, which reads back from the device', async () => {
    const page = await newPage();
    await signIn(page, 'otto');
    await page.goto(`${base}/#/devices/pump-1`);
    const form = page.locator('form.write[data-point="speedSetpoint"]');
    await form.getByLabel('new value for speedSetpoint').fill('42.5');
    await form.getByRole('button', { name: 'Write' }).click();
    await form.locator('.success:has-text("written")').waitFor();
    assert.equal(sim.value(1, 'speedSetpoint'), 42.5, 'the simulator holds the written setpoint');
    await page.locator('.value[data-point="speedSetpoint"]:has-text("42.5")').waitFor({ timeout: ON_SCREEN });
  });

  it('refuses a viewer\'s write: no write box on the page, and the gateway says no', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await signIn(page, 'vera');
    await page.goto(`${base}/#/devices/pump-1`);
    await page.locator('.value[data-point="speedSetpoint"]').filter({ hasText: /\d/ }).waitFor();
    assert.equal(await page.locator('form.write').count(), 0, 'a viewer is offered no write');
    const answer = await page.evaluate(async () => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrf?: string };
      const res = await fetch('/api/v1/devices/pump-1/points/speedSetpoint/write', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf ?? '' },
        body: JSON.stringify({ value: 10 }),
      });
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error?.code, 'SG_API_FORBIDDEN');
    assert.notEqual(sim.value(1, 'speedSetpoint'), 10);
  });

  it('shows a configuration typo at its line', async () => {
    const page = await newPage(); // the gateway's own machine: the local admin, without a login
    await page.goto(`${base}/#/config`);
    await page.locator('.config-view:has-text("pump-station")').waitFor();
    await page.getByRole('button', { name: 'Edit a candidate' }).click();
    const editor = page.getByLabel('Candidate configuration');
    const text = await editor.inputValue();
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('pollInterval:')) + 1;
    assert.ok(line > 0);
    lines[line - 1] = lines[line - 1]!.replace('pollInterval:', 'pollIntervall:');
    await editor.fill(lines.join('\n'));
    await page.getByRole('button', { name: 'Check' }).click();
    const problem = page.locator(`.problems li[data-line="${line}"]`);
    await problem.waitFor();
    assert.match((await problem.textContent()) ?? '', new RegExp(`line ${line}.*pollIntervall`));
    await page.locator(`.editor .gutter [data-line="${line}"].bad-line`).waitFor();
  });
});
