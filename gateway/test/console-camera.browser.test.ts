// The console's Cameras page as people on a site use it: a real Chromium (Debian's, driven by
// playwright-core) against a real gateway with a simulated ONVIF camera streaming H.264 through the
// relay. The live tile plays (its video's clock advances), an operator's PTZ button turns the
// simulated camera, a viewer gets no PTZ buttons, and a motion event's snapshot shows in the
// gallery and opens large. Nothing here asserts how fast anything was.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@sensegate/sdk';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { startOnvifSimulator, type OnvifSimulator } from '@sensegate/sim-onvif';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { newUser, writeUsers } from '../src/api/auth/users-file.js';
import { ApiServer } from '../src/api/server.js';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BUILD_CONSOLE = fileURLToPath(new URL('../scripts/build-console.mjs', import.meta.url));
const CAMERA = { id: 'gate', width: 320, height: 240, fps: 10 };
const CAMERA_PASSWORD = 'cam-Secret-57';
const PLAY_TOKEN = 'players-t0ken-57';
const PASSWORD = 'gate camera password';
/** What the test reads of page elements (this file is typechecked without the DOM's types). */
interface PlayingVideo {
  currentTime: number;
  videoWidth: number;
  videoHeight: number;
}
interface LoadedImage {
  complete: boolean;
  naturalWidth: number;
}
/** What the page evaluates to learn whether this Chromium decodes H.264 (a string: this file is typechecked without the DOM's types). */
const H264_SUPPORTED = `typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"')`;

describe('the console\'s Cameras page', () => {
  let dir: string;
  let broker: TestBroker;
  let sim: OnvifSimulator;
  let gateway: Gateway;
  let api: ApiServer;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  async function signIn(page: Page, user: string): Promise<void> {
    await page.goto(`${base}/#/login`);
    await page.getByLabel('User').fill(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator(`.who .user:has-text("${user}")`).waitFor();
  }

  /** Opens the Cameras page as `user`, collecting what the browser refused for the page's policy. */
  async function camerasPage(user: string): Promise<{ page: Page; refused: string[] }> {
    const page = await newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Mixed Content/i.test(m.text())) refused.push(m.text());
    });
    await signIn(page, user);
    await page.goto(`${base}/#/cameras`);
    await page.locator('.camera-tile[data-device="gate"]').waitFor();
    return { page, refused };
  }

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `the console's browser tests drive Chromium at ${CHROMIUM}, which is not installed: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH`);
    // The tests run from the sources: build the console's bundle from them, as npm run build does.
    execFileSync(process.execPath, [BUILD_CONSOLE], { stdio: 'pipe' });
    dir = await mkdtemp(join(tmpdir(), 'sensegate-console-camera-'));
    broker = await testBroker();
    sim = await startOnvifSimulator({
      cameras: [CAMERA],
      port: 0,
      rtspPort: 0,
      httpPort: 0,
      credentials: { user: 'operator', password: CAMERA_PASSWORD },
      discovery: { multicast: false, unicastPort: 0 },
    });
    const dataDir = join(dir, 'data');
    await writeUsers(dataDir, { version: 1, users: { vera: await newUser('viewer', PASSWORD), otto: await newUser('operator', PASSWORD) } });
    const file = join(dir, 'site.yaml');
    await writeFile(
      file,
      `gateway: { id: console-camera-gw }
devices:
  - id: gate
    name: Gate camera
    driver: onvif
    profile: camera
    timeout: 5s
    connection:
      url: ${sim.cameras[0]!.deviceServiceUrl}
      user: operator
      password: { env: GATE_CAM_PASSWORD }
      checkInterval: 2s
video:
  relay: { httpPort: ${await freePort()}, rtmpPort: ${await freePort()}, statsInterval: 1s, token: { env: PLAY_TOKEN } }
  snapshots: { timeout: 5s }
commands:
  allow: ['gate:ptz.*']
sinks:
  - type: mqtt
    url: ${broker.url}
api:
  port: 0
`,
    );
    const env = { ...process.env, GATE_CAM_PASSWORD: CAMERA_PASSWORD, PLAY_TOKEN };
    const loaded = await loadConfigFile(file);
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, sinks: loaded.sinks, dataDir, log: silentLogger, env });
    api = await ApiServer.start(gateway, { config: loaded.config.api, log: silentLogger });
    base = api.url!;
    await waitFor('the camera online and its stream relayed', () => gateway.status().devices[0]?.state === 'online' && gateway.streams()[0]?.state === 'up', { timeout: 30_000 });
    await waitFor('the camera\'s PTZ position known', () => gateway.live?.latestOf('gate', 'ptz.pan'), { timeout: 20_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
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

  it('plays the camera live in its tile: the video\'s clock advances', async (t) => {
    const { page, refused } = await camerasPage('vera');
    if (!(await page.evaluate(H264_SUPPORTED))) {
      t.skip(`this Chromium (${CHROMIUM}) has no H.264 decoder for Media Source Extensions (MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"') is false), so no browser test can watch the relay's H.264 here`);
      return;
    }
    const video = page.locator('.camera-tile[data-device="gate"] video');
    const playing = () => video.evaluate((v) => ({ time: (v as unknown as PlayingVideo).currentTime, size: [(v as unknown as PlayingVideo).videoWidth, (v as unknown as PlayingVideo).videoHeight] }));
    const first = await waitFor('the video playing', async () => ((await playing()).time > 1 ? playing() : undefined), { timeout: 30_000, interval: 250 });
    const later = await waitFor('the video\'s clock advancing', async () => {
      const now = await playing();
      return now.time > first.time + 1 ? now : undefined;
    }, { timeout: 20_000, interval: 250 });
    assert.deepEqual(later.size, [CAMERA.width, CAMERA.height], 'the picture is the camera\'s');
    assert.equal(await page.locator('.camera-tile[data-device="gate"] .player-problem').count(), 0, 'the tile names no problem');
    assert.deepEqual(refused, [], 'the page\'s policy lets the player reach the relay');
    await page.locator('.camera-tile[data-device="gate"] .stream-state:has-text("up")').waitFor();
    await waitFor('the relay counting the console as a viewer', () => (gateway.streams()[0]?.viewers ?? 0) >= 1 || undefined, { timeout: 15_000 });
  });

  it('an operator\'s PTZ button turns the camera, and the tile shows where it points', async () => {
    const { page } = await camerasPage('otto');
    const tile = page.locator('.camera-tile[data-device="gate"]');
    const before = sim.ptz('gate');
    await tile.getByRole('button', { name: 'pan right' }).click();
    await tile.locator('.ptz-outcome:has-text("pan right: done")').waitFor();
    const moved = await waitFor('the simulated camera turned right', () => {
      const p = sim.ptz('gate');
      return p.pan > before.pan + 0.05 && !p.moving ? p : undefined;
    }, { timeout: 20_000 });
    assert.ok(Math.abs(moved.tilt - before.tilt) < 0.02, 'a pan leaves the tilt alone');
    await tile.locator(`.ptz-position:has-text("${moved.pan.toFixed(2)} /")`).waitFor();
  });

  it('a viewer watches but gets no PTZ buttons', async () => {
    const { page } = await camerasPage('vera');
    await page.locator('.camera-tile[data-device="gate"] .ptz-position').waitFor();
    assert.equal(await page.locator('.camera-tile[data-device="gate"] .ptz').count(), 0);
  });

  it('shows a motion event\'s snapshot in the gallery, and opens it large on a click', async () => {
    const { page } = await camerasPage('vera');
    const since = Date.now();
    sim.motion('gate', true);
    const snapshot = await waitFor('the motion snapshot stored', () => gateway.snapshots?.newest(1, 'gate').find((s) => s.ts >= since - 1000 && s.reason === 'camera-motion'), { timeout: 20_000 });
    const thumb = page.locator(`.gallery .thumb[data-snapshot="${snapshot.id}"]`);
    await thumb.waitFor();
    await thumb.locator('text=camera.motion').waitFor();
    const width = (img: ReturnType<Page['locator']>) => img.evaluate((i) => ((i as unknown as LoadedImage).complete ? (i as unknown as LoadedImage).naturalWidth : 0));
    assert.equal(await waitFor('the thumbnail loaded', async () => (await width(thumb.locator('img'))) || undefined), CAMERA.width, 'the thumbnail is the camera\'s JPEG');
    await thumb.click();
    const large = page.locator('.lightbox img');
    await large.waitFor();
    assert.equal(await waitFor('the large picture loaded', async () => (await width(large)) || undefined), CAMERA.width);
    await page.keyboard.press('Escape');
    await large.waitFor({ state: 'detached' });
    sim.motion('gate', false);
  });
});
