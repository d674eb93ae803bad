/**
 * Brokers for tests. `testBroker()` uses the broker in MQTT_URL (CI points it at Mosquitto) or
 * starts the embedded one. `stoppableBroker()` is a private broker the test can take down and bring
 * back on the same port, to cut the uplink: its own Mosquitto process when Mosquitto is installed,
 * else the embedded broker.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded.js';
import { waitFor } from '@sensegate/sdk/testing';

export interface TestBroker {
  url: string;
  close(): Promise<void>;
}

export async function testBroker(): Promise<TestBroker> {
  const url = process.env.MQTT_URL;
  if (url) return { url, close: async () => {} };
  return startEmbeddedBroker({ port: 0 });
}

export interface StoppableBroker {
  url: string;
  port: number;
  /** What is behind it, for test names and failure messages. */
  kind: 'mosquitto' | 'embedded';
  /** Takes the broker down; connected clients see their connection drop. */
  stop(): Promise<void>;
  /** Brings it back on the same port. */
  start(): Promise<void>;
  /** What the broker logged so far, across its restarts (Mosquitto's notices: connections, messages it dropped); empty for the embedded broker. */
  log(): string;
  close(): Promise<void>;
}

/**
 * `persistent`: Mosquitto keeps sessions and queued messages on disk and `stop()` shuts it down
 * cleanly (SIGTERM), so a consumer with a persistent session (`FeedConsumer.connect(..., { persistent: true })`)
 * receives, after each restart, everything the broker acknowledged to the gateway: what the consumer
 * misses is then the gateway's doing, not the broker's. Without it, `stop()` is a SIGKILL and what
 * the broker held for subscribers dies with it.
 */
export async function stoppableBroker(options: { persistent?: boolean } = {}): Promise<StoppableBroker> {
  const port = await freePort();
  const mosquitto = findMosquitto();
  if (options.persistent && !mosquitto) throw new Error('a persistent test broker needs Mosquitto (Debian package mosquitto)');
  return mosquitto ? mosquittoBroker(mosquitto, port, undefined, options.persistent) : embeddedBroker(port);
}

/**
 * A private Mosquitto with its own configuration (listeners, TLS, password file), for tests of
 * what only a full broker offers: MQTT 5, authentication, TLS client certificates. `listener`
 * lines may use `{port}`, replaced with a free port. Undefined when Mosquitto is not installed.
 */
export async function privateMosquitto(config: string): Promise<StoppableBroker | undefined> {
  const mosquitto = findMosquitto();
  if (!mosquitto) return undefined;
  const port = await freePort();
  return mosquittoBroker(mosquitto, port, config.replaceAll('{port}', String(port)));
}

export function findMosquitto(): string | undefined {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/opt/homebrew/sbin/mosquitto']) {
    if (existsSync(candidate)) return candidate;
  }
  const found = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}

async function mosquittoBroker(binary: string, port: number, config?: string, persistent = false): Promise<StoppableBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-mosquitto-'));
  // Mosquitto started as root drops to its own user, which must be able to read the config.
  await chmod(dir, 0o755);
  const conf = join(dir, 'mosquitto.conf');
  // No practical cap on messages queued for a slow subscriber (Mosquitto's default drops beyond
  // 1,000): a test's consumer that falls behind under load must not be mistaken for a gateway
  // losing data. A large number, not 0 ("no maximum"): Mosquitto releases have read 0 differently
  // (2.0.16-2.0.18 drop every queued message with it, 2.0.21 refuses publishes as over quota).
  // Should the broker drop anything for a client all the same, it says so in its log
  // ("Outgoing messages are being dropped for client ..."), which `log()` returns.
  let persistence = 'persistence false\n';
  if (persistent) {
    // Written by Mosquitto's own user when started as root.
    await mkdir(join(dir, 'db'), { mode: 0o777 });
    await chmod(join(dir, 'db'), 0o777);
    persistence = `persistence true\npersistence_location ${join(dir, 'db')}/\n`;
  }
  await writeFile(conf, config ?? `listener ${port} 127.0.0.1\nallow_anonymous true\n${persistence}max_queued_messages 10000000\n`);
  let child: ChildProcess | undefined;
  let output = '';
  const broker: StoppableBroker = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    kind: 'mosquitto',
    async start() {
      if (child) return;
      const proc = spawn(binary, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      proc.stdout!.on('data', (d) => (output += d));
      proc.stderr!.on('data', (d) => (output += d));
      proc.on('exit', () => {
        if (child === proc) child = undefined;
      });
      await waitFor(`mosquitto on port ${port}`, async () => {
        if (!child) throw new Error(`mosquitto exited: ${output}`);
        return answers(port);
      }, { timeout: 10_000 });
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      child = undefined;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill(persistent ? 'SIGTERM' : 'SIGKILL');
      await exited;
      await waitFor(`port ${port} to close`, async () => !(await answers(port)), { timeout: 10_000 });
    },
    log: () => output,
    async close() {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}

async function embeddedBroker(port: number): Promise<StoppableBroker> {
  let running: EmbeddedBroker | undefined;
  const broker: StoppableBroker = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    kind: 'embedded',
    async start() {
      running ??= await startEmbeddedBroker({ port });
    },
    async stop() {
      await running?.close();
      running = undefined;
    },
    log: () => '',
    close: () => broker.stop(),
  };
  await broker.start();
  return broker;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
