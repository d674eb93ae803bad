// A station reports to the gateway; the gateway relays its data upstream to a higher HJ 212
// platform (the province), through the journal, so an outage of that platform loses nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFrame, formatDataTime, formatQn, formatSegment } from '@sensegate/driver-hj212/protocol';
import { silentLogger } from '@sensegate/sdk';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { TestPlatform } from './support/hj212-platform.js';

const MN = '88888880000001AIR0000001';
const PW = '123456';
const ZONE = 'Asia/Shanghai';


/** A data logger: one TCP connection sending real-time packets. */
class Logger {
  private constructor(private readonly socket: Socket) {}
  static async connect(port: number): Promise<Logger> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => {});
    return new Logger(socket);
  }
  /** Real-time data for one DataTime: PM2.5 and PM10 with their flags. */
  realtime(ts: number, pm25: number, pm10: number, flag = 'N'): void {
    const cp = `DataTime=${formatDataTime(ts, ZONE)};a34004-Rtd=${pm25},a34004-Flag=${flag};a34002-Rtd=${pm10},a34002-Flag=N`;
    this.socket.write(encodeFrame(formatSegment({ qn: formatQn(ts, ZONE), st: '22', cn: '2011', pw: PW, mn: MN, flag: 4, cp })));
  }
  close(): void {
    this.socket.destroy();
  }
}

describe('HJ 212 relay to a higher platform', () => {
  let dir: string;
  let platform: TestPlatform;
  let gateway: Gateway;
  let logger: Logger;
  // Whole seconds, as DataTime carries them, starting an hour ago.
  const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const sent = new Map<string, string>();
  const send = (i: number) => {
    const ts = start + i * 30_000;
    const pm25 = 20 + i;
    logger.realtime(ts, pm25, 40 + i, i % 7 === 3 ? 'M' : 'N');
    sent.set(`${formatDataTime(ts, ZONE)} a34004-Rtd`, String(pm25));
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-relay-'));
    platform = await TestPlatform.start();
    const port = await freePort();
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: relay-gw }
devices:
  - id: air-1
    driver: hj212
    connection: { host: 127.0.0.1, port: ${port}, mn: ${MN}, password: '${PW}', st: '22' }
    points:
      - { id: pm25, code: a34004, unit: ug/m3 }
      - { id: pm10, code: a34002, unit: ug/m3 }
sinks:
  - type: hj212
    name: province
    host: 127.0.0.1
    port: ${platform.port}
    ackTimeout: 2s
    reconnect: { initialDelay: 100ms, maxDelay: 500ms }
`,
    );
    const { config: loaded, drivers } = await loadConfigFile(config);
    gateway = await Gateway.start({ config: loaded, drivers, dataDir: join(dir, 'data'), log: silentLogger });
    logger = await Logger.connect(port);
  });

  after(async () => {
    logger?.close();
    await gateway?.stop();
    await platform?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('relays each real-time packet with the station\'s MN, DataTime, values and flags, acknowledged', async () => {
    for (let i = 0; i < 5; i++) send(i);
    await waitFor('5 relayed packets', () => platform.values(MN, '2011').size >= 10);
    const relayed = platform.received.filter((r) => r.packet.mn === MN);
    for (const { packet } of relayed) {
      assert.equal(packet.st, '22');
      assert.equal(packet.pw, PW);
      assert.equal(packet.flag, 5, 'a 2017 packet asking for 9014');
    }
    const values = platform.values(MN, '2011');
    for (const [key, value] of sent) assert.equal(values.get(key), value, key);
    const flagged = relayed.flatMap((r) => r.records).find((rec) => rec.dataTime === formatDataTime(start + 3 * 30_000, ZONE));
    assert.equal(flagged?.values.find((v) => v.code === 'a34004')?.flag, 'M', 'the station\'s flag travels upstream');
  });

  it('keeps what arrives while the platform is down and delivers it when it returns', async () => {
    await platform.stop();
    const before = platform.received.length;
    for (let i = 5; i < 40; i++) send(i);
    // The readings are journaled while the platform is away, and nothing reaches it.
    await waitFor('the journal to hold the outage', () => gateway.status().journal.lastSeq >= 80);
    await waitFor('the relay to notice the outage', () => !gateway.status().sinks[0]!.connected);
    assert.equal(platform.received.length, before);
    await platform.listen();
    await waitFor('every packet after the outage', () => [...sent.keys()].every((k) => platform.values(MN, '2011').has(k)), { timeout: 30_000 });
    const values = platform.values(MN, '2011');
    for (const [key, value] of sent) assert.equal(values.get(key), value, key);
  });
});

describe('HJ 212 relay packets', () => {
  it('cuts a record too long for one packet into several with the same DataTime, losing no value', async () => {
    const { relayPackets } = await import('@sensegate/driver-hj212/sink');
    const codes = Array.from({ length: 80 }, (_, i) => `w${String(20000 + i)}`);
    const station = {
      device: 'water-1',
      mn: MN,
      password: PW,
      st: '21',
      timeZone: ZONE,
      points: new Map(codes.map((code) => [code, { cn: '2061', code, field: 'Avg' }])),
    };
    const ts = Date.UTC(2026, 10, 29, 2, 0, 0);
    const readings = codes.map((code, i) => ({ device: 'water-1', point: code, ts, value: 1000 + i / 1000, quality: 'good' as const, status: 'hj212:flag:N' }));
    const packets = relayPackets(readings, new Map([['water-1', station]]));
    assert.ok(packets.length > 1, `${packets.length} packet(s)`);
    const seen = new Map<string, string>();
    for (const p of packets) {
      const segment = formatSegment({ qn: formatQn(ts, ZONE), st: '21', cn: p.cn, pw: PW, mn: MN, flag: 5, cp: p.cp });
      assert.ok(segment.length <= 1024, `segment of ${segment.length} characters`);
      assert.ok(p.cp.startsWith(`DataTime=${formatDataTime(ts, ZONE)};`));
      for (const field of p.cp.split(';').slice(1)) for (const kv of field.split(',')) seen.set(kv.split('=')[0]!, kv.split('=')[1]!);
    }
    codes.forEach((code, i) => {
      assert.equal(seen.get(`${code}-Avg`), String(1000 + i / 1000));
      assert.equal(seen.get(`${code}-Flag`), 'N');
    });
  });
});
