/**
 * What the end-to-end benchmarks share: a broker to publish to, a process's CPU and memory read
 * from /proc, and a subscriber that counts readings without parsing whole messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import mqtt from 'mqtt';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** MQTT_URL, else Mosquitto on 127.0.0.1:1883, else a private `mosquitto` process (added to `children`). */
export async function brokerUrl(children: ChildProcess[]): Promise<string> {
  if (process.env.MQTT_URL) return process.env.MQTT_URL;
  if (await reachable(1883)) return 'mqtt://127.0.0.1:1883';
  const port = 18830 + Math.floor(Math.random() * 1000);
  const child = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 50 && !(await reachable(port)); i++) await sleep(100);
  return `mqtt://127.0.0.1:${port}`;
}

/** CPU seconds (user+system) and RSS bytes of a process, from /proc. */
export async function usage(pid: number): Promise<{ cpu: number; rss: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const cpu = (Number(stat[11]) + Number(stat[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  return { cpu, rss };
}

/** Counts readings arriving on `topic` (by their `"quality"` keys); optionally samples latency. */
export async function readingCounter(url: string, topic: string, sampleLatency = false) {
  const client = await mqtt.connectAsync(url, { clean: true });
  let readings = 0;
  const latencies: number[] = [];
  const marker = Buffer.from('"quality"');
  client.on('message', (_t, payload) => {
    for (let i = payload.indexOf(marker); i !== -1; i = payload.indexOf(marker, i + 9)) readings++;
    if (sampleLatency) {
      const now = Date.now();
      for (const r of (JSON.parse(payload.toString()) as { readings: Array<{ ts: number }> }).readings) latencies.push(now - r.ts);
    }
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return {
    count: () => readings,
    latencies,
    close: () => client.endAsync(),
  };
}

export interface GatewayRun {
  /** Readings/s that reached the broker while measured. */
  delivered: number;
  /** CPU of the gateway process while measured, in cores. */
  cpu: number;
  rss: number;
  /** Poll-to-delivery latencies (ms) sampled while measured, when asked for. */
  latencies: number[];
}

/**
 * Runs the built gateway CLI on a configuration file, lets it warm up, then measures what reaches
 * the broker on its data topic and what the process costs, and stops it.
 */
export async function measureGateway(options: {
  cli: string;
  config: string;
  gateway: string;
  dataDir: string;
  url: string;
  warmupSeconds: number;
  measureSeconds: number;
  nodeArgs?: string[];
  sampleLatency?: boolean;
  /** Clients of the gateway (its API) started once it is up, before the measure window, and stopped after it. */
  clients?: () => Promise<{ stop(): Promise<void> }>;
}): Promise<GatewayRun> {
  const sub = await readingCounter(options.url, `sensegate/v1/${options.gateway}/data`, options.sampleLatency ?? false);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.cli, 'run', '--config', options.config, '--data', options.dataDir, '--log-format', 'json'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await sleep((options.warmupSeconds * 1000) / 2);
  const clients = await options.clients?.();
  await sleep((options.warmupSeconds * 1000) / 2);
  const u0 = await usage(child.pid!);
  const c0 = sub.count();
  const t0 = Date.now();
  sub.latencies.length = 0;
  await sleep(options.measureSeconds * 1000);
  const u1 = await usage(child.pid!);
  const c1 = sub.count();
  const elapsed = (Date.now() - t0) / 1000;
  await clients?.stop();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await sub.close();
  return { delivered: Math.round((c1 - c0) / elapsed), cpu: (u1.cpu - u0.cpu) / elapsed, rss: u1.rss, latencies: sub.latencies };
}
