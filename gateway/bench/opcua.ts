/**
 * OPC UA subscriptions through to MQTT: 10,000 monitored items sampled every second, every one
 * changing every second, on a simulated plant in its own process.
 *
 * 1. Raw limit, in this process: a bare node-opcua client subscribing to the same 10,000 items and
 *    only counting the changes it receives. Its CPU is the cost of OPC UA itself (decoding publish
 *    responses and dispatching notifications), which no gateway can avoid.
 * 2. The built gateway (`sensegate run`) with one device of 10,000 subscribed points, journaling
 *    every change and publishing it to Mosquitto: changes delivered per second, the gateway's CPU
 *    and RSS, and the ratio of its CPU to the raw client's.
 *
 * Target (issue 5): under 25% of one core and under 250 MB RSS.
 * Environment: BENCH_ITEMS (default 10000), BENCH_SECONDS (measured, default 20), BENCH_SECURITY
 * (None or SignAndEncrypt, default None).
 * Run with `npm run bench -- opcua` (builds first) or:
 *   node --import tsx --conditions=source gateway/bench/opcua.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addTrustedCertificate, pkiFolder } from '@sensegate/driver-opcua';
import { freePort } from '@sensegate/sdk/testing';
import { PLANT_NAMESPACE, benchId } from '@sensegate/sim-opcua';
import {
  AttributeIds,
  ClientMonitoredItemGroup,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
} from 'node-opcua';
import { brokerUrl, measureGateway, reachable, sleep } from './support.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'distribution/dist/cli.js');
const SIM_CLI = join(REPO, 'simulators/opcua/dist/cli.js');
const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 20);
const SECURITY = (process.env.BENCH_SECURITY ?? 'None') as 'None' | 'SignAndEncrypt';
const fmt = (n: number) => Math.round(n).toLocaleString('en');

async function rawClient(endpoint: string, pki: string, namespaceIndex: number) {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    securityMode: MessageSecurityMode[SECURITY],
    securityPolicy: SECURITY === 'None' ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256,
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: true }),
  });
  await client.connect(endpoint);
  const session = await client.createSession(SECURITY === 'None' ? { type: UserTokenType.Anonymous } : { type: UserTokenType.UserName, userName: 'operator', password: 'operator' });
  const subscription = await session.createSubscription2({ requestedPublishingInterval: 1000, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 60, publishingEnabled: true });
  let changes = 0;
  for (let i = 0; i < ITEMS; i += 1000) {
    const items = Array.from({ length: Math.min(1000, ITEMS - i) }, (_, k) => ({ nodeId: `ns=${namespaceIndex};s=${benchId(i + k)}`, attributeId: AttributeIds.Value }));
    const group = ClientMonitoredItemGroup.create(subscription, items, { samplingInterval: 1000, queueSize: 1, discardOldest: true }, TimestampsToReturn.Both);
    group.on('changed', () => changes++);
    await new Promise<void>((resolve, reject) => {
      group.once('initialized', () => resolve());
      group.once('err', (m: string) => reject(new Error(m)));
    });
  }
  await sleep(5000);
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const c0 = changes;
  const t0 = Date.now();
  await sleep(MEASURE_S * 1000);
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (Date.now() - t0) / 1000;
  const result = { rate: (changes - c0) / elapsed, cpu: (cpu.user + cpu.system) / 1e6 / elapsed, rssDelta: process.memoryUsage().rss - rss0 };
  await subscription.terminate();
  await session.close();
  await client.disconnect();
  return result;
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-opcua-'));
  try {
    const url = await brokerUrl(children);
    const port = await freePort();
    const serverPki = join(dir, 'server-pki');
    const sim = spawn(process.execPath, [SIM_CLI, '--port', String(port), '--pki', serverPki, '--bench-variables', String(ITEMS), '--tick', '1000', '--pumps', '1'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    children.push(sim);
    for (let i = 0; i < 200 && !(await reachable(port)); i++) await sleep(100);
    const endpoint = `opc.tcp://127.0.0.1:${port}/UA/WaterPlant`;
    console.log(`${fmt(ITEMS)} monitored items, sampling 1 s, publishing 1 s, every value changing every second; security ${SECURITY}`);

    // 1. Raw limit: a bare client, counting.
    const raw = await rawClient(endpoint, join(dir, 'raw-pki'), 1);
    console.log(`  raw limit (a bare node-opcua client counting changes): ${fmt(raw.rate)} changes/s at ${(raw.cpu * 100).toFixed(1)}% of one core`);

    // 2. The gateway.
    const gateway = `bench-opcua-${process.pid}`;
    const dataDir = join(dir, 'gw');
    if (SECURITY !== 'None') addTrustedCertificate(pkiFolder(join(dataDir, 'drivers', 'opcua')), await readFile(join(serverPki, 'own/certs/certificate.pem')).catch(() => readFile(join(serverPki, 'own/certs/self_signed_certificate.pem'))), 'bench');
    const points = Array.from({ length: ITEMS }, (_, i) => `      - { id: v${i}, nodeId: 'nsu=${PLANT_NAMESPACE};s=${benchId(i)}' }`);
    const config = join(dir, 'opcua.yaml');
    await writeFile(
      config,
      `gateway: { id: ${gateway} }
log: { level: warn }
devices:
  - id: plant
    driver: opcua
    connection:
      endpoint: ${endpoint}
      securityMode: ${SECURITY}
${SECURITY === 'None' ? '' : '      user: { userName: operator, password: operator }\n'}      publishingInterval: 1s
      samplingInterval: 1s
    points:
${points.join('\n')}
sinks:
  - type: mqtt
    url: ${url}
`,
    );
    const run = await measureGateway({ cli: CLI, config, gateway, dataDir, url, warmupSeconds: 15, measureSeconds: MEASURE_S });
    const cpu = run.cpu * 100;
    const rss = run.rss / 1024 / 1024;
    console.log(
      `  gateway (subscribe, normalize, journal, publish to MQTT): ${fmt(run.delivered)} readings/s delivered = ${(run.delivered / raw.rate).toFixed(3)}x the raw client's changes; ` +
        `${cpu.toFixed(1)}% of one core (${(run.cpu / raw.cpu).toFixed(2)}x the raw client's CPU), RSS ${rss.toFixed(0)} MB`,
    );
    console.log(`  target: under 25% of one core (${cpu < 25 ? 'met' : 'NOT met'}), under 250 MB RSS (${rss < 250 ? 'met' : 'NOT met'})`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
