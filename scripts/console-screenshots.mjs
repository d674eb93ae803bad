#!/usr/bin/env node
// Screenshots of the browser console for docs/console.md, taken from a running `sensegate demo`
// by Debian's Chromium (playwright-core), at a laptop's and a phone's size; then docs/console.md is
// written again around them. Run it after a build: `npm run docs:console`. The pictures are never
// edited by hand, so the guide shows the console as it is.
// Usage: node scripts/console-screenshots.mjs   (CHROMIUM_PATH overrides /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(root, 'docs', 'console');
const GUIDE = join(root, 'docs', 'console.md');
/** Time for the demo's trends and events to fill before the first picture. */
const WARM_UP = 25_000;

const VIEWPORTS = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

/** The pictures, in the guide's order: what to open, what to wait for, what to do first. */
const SHOTS = [
  { name: 'overview', hash: '#/', ready: '.tile.gateway .badge' },
  { name: 'devices', hash: '#/devices', ready: 'table[aria-label="Devices"] .state-online' },
  { name: 'device', hash: '#/devices/pump-1', ready: 'tr[data-key="flow"] svg.sparkline' },
  { name: 'events', hash: '#/events', ready: '.event-list li' },
  { name: 'config', hash: '#/config', ready: '.config-view' },
  {
    name: 'config-check',
    hash: '#/config',
    ready: '.config-view',
    async act(page) {
      await page.getByRole('button', { name: 'Edit a candidate' }).click();
      const editor = page.getByLabel('Candidate configuration');
      const text = await editor.inputValue();
      await editor.fill(text.replace('pollInterval:', 'pollIntervall:'));
      await page.getByRole('button', { name: 'Check' }).click();
      await page.locator('.problems li').first().waitFor();
      await page.locator('.editor .bad-line').first().scrollIntoViewIfNeeded();
    },
  },
];

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is not installed: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH`);
  process.exit(1);
}
if (!existsSync(join(root, 'gateway', 'dist', 'console', 'index.html'))) {
  console.error('the console is not built: run npm run build first');
  process.exit(1);
}

const data = await mkdtemp(join(tmpdir(), 'sensegate-screenshots-'));
const demo = spawn(process.execPath, [join(root, 'distribution', 'bin', 'sensegate.js'), 'demo', '--data', data, '--log-level', 'warn'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let browser;
try {
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo printed no console address within 60 s:\n${out}`)), 60_000);
    demo.stdout.on('data', (chunk) => {
      out += chunk;
      const found = /console\s+(https?:\/\/\S+?)\/?\s/.exec(out);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    demo.once('exit', (code) => reject(new Error(`the demo stopped (exit ${code}) before it printed its console address:\n${out}`)));
  });
  console.log(`demo console at ${base}; waiting ${WARM_UP / 1000} s for its trends and events`);
  await new Promise((r) => setTimeout(r, WARM_UP));
  await mkdir(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  for (const viewport of VIEWPORTS) {
    const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, deviceScaleFactor: 1, colorScheme: 'light' });
    for (const shot of SHOTS) {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${base}/${shot.hash}`);
      await page.locator(shot.ready).first().waitFor();
      await shot.act?.(page);
      await page.waitForTimeout(1_000); // let the live values settle into place
      const file = join(OUT, `${shot.name}-${viewport.name}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${file}`);
      await page.close();
    }
    await context.close();
  }
  await writeFile(GUIDE, guide());
  console.log(`wrote ${GUIDE}`);
} finally {
  await browser?.close();
  demo.kill('SIGINT');
  await new Promise((r) => (demo.exitCode === null ? demo.once('exit', r) : r()));
  await rm(data, { recursive: true, force: true });
}

function pictures(name, what) {
  return `| laptop | phone |\n|---|---|\n| ![${what}, on a laptop](console/${name}-laptop.png) | ![${what}, on a phone](console/${name}-phone.png) |\n`;
}

function guide() {
  return `# The console

<!-- Written by scripts/console-screenshots.mjs (npm run docs:console) with its pictures; edit the script, not this file. -->

The gateway serves a browser console at the address of its API: \`http://127.0.0.1:8780/\` by default
(\`sensegate demo\` prints it). Its files are built into the gateway's package, so it needs nothing from
the internet and works on a site network without one. It is made for a laptop and for a phone held
by someone standing in a pump room: on a narrow screen the navigation folds into a menu and each
table becomes a list of cards. Every state is written in words beside its colour.

Who may use it is who may use the API ([api.md](api.md#who-may-call-it)). On the gateway's own
machine (or through an SSH tunnel to it) nobody needs to sign in. From anywhere else, the API is
served over HTTPS and the console asks for a user made with \`sensegate users add NAME --role ROLE\`:
a **viewer** sees everything, an **operator** also writes to points and runs driver commands, an
**admin** also checks candidate configurations ([security](security.md#http-api-and-console-access)).

## Overview

Is the gateway doing its job: whether it is ready (and if not, why, in words), each sink with its
backlog and how long the oldest entry has waited, the journal's size, oldest entry, drops and free
disk, the active alarms, and the devices by state (each state opens the devices it counts).

${pictures('overview', 'The overview')}
## Devices

Every device with its state, since when, its driver, when it last gave a good value, and why it is
offline or degraded (or its last error, kept after it recovers), in the gateway's words with the error
code. Search by id, name, driver or tag, and filter by state; the filter is part of the address, so it
can be bookmarked or sent. A device that drops off turns \`offline\` on screen as soon as the gateway
notices, without a reload.

${pictures('devices', 'The devices')}
## A device

Its points with their live values and units, quality (\`good\`, \`uncertain\`, \`bad\`) and the
protocol's own status, how long ago each was measured, and a trend of each numeric point from the
gateway's recent history, extended as values arrive. Operators get a write box for each writable
point and a button for each of the driver's commands; the answer is the device's acknowledgement,
in words. At the bottom, the read plan: the requests each poll makes (as \`sensegate plan\`).

${pictures('device', 'A device')}
## Events and alarms

The active alarms, then the recent events, newest first, with new ones added as they happen:
device states, alarms raised and cleared, commands and who sent them, logins. Filter by device, by
least severity and by type (alarms, device states, commands, console and API access).

${pictures('events', 'Events and alarms')}
## Cameras

A live tile per camera stream, played from the gateway's video relay, with the stream's state,
bitrate and viewers, where the camera points and its newest snapshot. Operators get PTZ buttons
(pan and tilt steps, zoom, home, stop, presets by name); the answer is the camera's acknowledgement.
Below, the stored snapshots, newest first, joined by new ones as motion and tamper events arrive; a
click opens one large. What playing needs of the browser and the network (the relay's port, H.264,
plain HTTP) is in [video](video.md#watching-in-the-console); a tile that cannot play says why.

## Configuration

The configuration file as the gateway runs it, with line numbers; secrets written in the file are
shown as \`********\` (references to environment variables and files are shown as written).

${pictures('config', 'The configuration')}
An admin can edit a candidate copy and **Check** it: the gateway validates it exactly as
\`sensegate validate\` would, and each problem is listed with its line, column and field path, and
marked in the margin at its line. The candidate starts from the masked file, so write the real
secrets (or \`{ env: NAME }\` references) in place of \`********\` before checking; a problem on such a
line says so. Nothing is saved or applied: put the checked file on the gateway and reload it there.

${pictures('config-check', 'A candidate with a typo, checked')}
These pictures are taken from \`sensegate demo\` by \`npm run docs:console\` (it needs a build and
Debian's \`chromium\`); the console's own tests are \`gateway/test/console.browser.test.ts\`.
`;
}
