// Fuzzing what cameras send: real answers of the simulated camera (captured at the start), mutated
// and mixed with random bytes, fed (1) to the XML parser and the readers of events and discovery,
// and (2) through a hostile HTTP server to the whole driver, connecting again and again. Whatever
// arrives: nothing throws past the driver (no uncaught exception, every failure a SensegateError
// naming the camera), the event loop never stalls beyond a bound, memory stays bounded.
// `npm run fuzz` runs it longer; SENSEGATE_FUZZ_SEED replays a run.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SensegateError, type DeviceRef } from '@sensegate/sdk';
import { createTestContext, fuzzBudget, fuzzFor, garbage, mutate, testDevice, watchProcess, type FuzzRandom } from '@sensegate/sdk/testing';
import onvif, { readProbeMatches, type OnvifConnection, type OnvifInstance, type OnvifPointFields } from '../src/index.js';
import { readNotifications, readSubscription } from '../src/camera/notification.js';
import { NS, envelope, operation, usernameToken, type Operation } from '../src/soap/envelope.js';
import { XmlLimitError, XmlSyntaxError, child, parseXml } from '../src/soap/xml-tree.js';
import { startSim } from './support/rig.js';

const STALL_BOUND_MS = 1000;
const RSS_BOUND_BYTES = 300 * 1024 * 1024;

/** POSTs one operation to the simulator, signed, and returns the raw answer. */
function capture(base: string, service: string, op: Operation, credentials: { user: string; password: string }, header = ''): Promise<string> {
  const body = envelope(op.xml, usernameToken(credentials.user, credentials.password, Date.now()) + header);
  return new Promise((resolve, reject) => {
    const req = request(`${base}${service}`, { method: 'POST', headers: { 'Content-Type': `application/soap+xml; action="${op.action}"` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Real answers, by operation name, and a real WS-Discovery ProbeMatches datagram. */
async function realAnswers(): Promise<{ answers: Map<string, string>; probeMatch: string }> {
  const sim = await startSim();
  try {
    const base = new URL(sim.cameras[0]!.deviceServiceUrl).origin;
    const creds = sim.credentials;
    const el = (name: string, value: string) => `<${name}>${value}</${name}>`;
    const ops: Array<[string, Operation]> = [
      ['/onvif/device_service', operation(NS.tds, 'GetSystemDateAndTime')],
      ['/onvif/device_service', operation(NS.tds, 'GetServices', el('IncludeCapability', 'false'))],
      ['/onvif/device_service', operation(NS.tds, 'GetCapabilities', el('Category', 'All'))],
      ['/onvif/device_service', operation(NS.tds, 'GetDeviceInformation')],
      ['/onvif/media_service', operation(NS.trt, 'GetProfiles')],
      ['/onvif/media_service', operation(NS.trt, 'GetStreamUri', `<StreamSetup><Stream xmlns="${NS.tt}">RTP-Unicast</Stream><Transport xmlns="${NS.tt}"><Protocol>RTSP</Protocol></Transport></StreamSetup>${el('ProfileToken', 'main')}`)],
      ['/onvif/media_service', operation(NS.trt, 'GetSnapshotUri', el('ProfileToken', 'main'))],
      ['/onvif/ptz_service', operation(NS.tptz, 'GetStatus', el('ProfileToken', 'main'))],
      ['/onvif/ptz_service', operation(NS.tptz, 'GetPresets', el('ProfileToken', 'main'))],
      ['/onvif/events_service', operation(NS.tev, 'CreatePullPointSubscription', el('InitialTerminationTime', 'PT60S'))],
    ];
    const answers = new Map<string, string>();
    for (const [service, op] of ops) answers.set(op.name, await capture(base, service, op, creds));
    const address = /<[\w:]*Address>([^<]+)</.exec(answers.get('CreatePullPointSubscription')!)![1]!;
    sim.services.motion('cam1', true);
    const pull = operation(NS.tev, 'PullMessages', el('Timeout', 'PT1S') + el('MessageLimit', '10'));
    answers.set('PullMessages', await capture(base, new URL(address).pathname, pull, creds, `<a:To>${address}</a:To>`));
    answers.set('Renew', await capture(base, new URL(address).pathname, operation(NS.wsnt, 'Renew', el('TerminationTime', 'PT60S')), creds, `<a:To>${address}</a:To>`));
    const probeMatch =
      '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"><env:Body><d:ProbeMatches>' +
      '<d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:1</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>' +
      `<d:Scopes>onvif://www.onvif.org/name/Gate%20A onvif://www.onvif.org/hardware/X1</d:Scopes><d:XAddrs>${sim.cameras[0]!.deviceServiceUrl}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>` +
      '</d:ProbeMatches></env:Body></env:Envelope>';
    return { answers, probeMatch };
  } finally {
    await sim.close();
  }
}

/** One fuzzed answer: a mutation of a real one, the real one, random bytes, or a pathological shape. */
function fuzzedAnswer(random: FuzzRandom, real: string | undefined): Buffer {
  const seed = Buffer.from(real ?? '');
  switch (random.int(6)) {
    case 0:
      return seed;
    case 1:
      return garbage(random, 4096);
    case 2:
      return Buffer.from(seed.toString('utf8').replace(/<\/s:Body>|<\/env:Body>/, `${random.pick(['<a>', '<x xmlns ', '<!--', '&ent;', '<![CDATA['])}`.repeat(random.between(1, 5000)) + '$&'));
    default:
      return mutate(random, seed, 256 * 1024);
  }
}

describe('fuzzing camera replies', () => {
  let real: Awaited<ReturnType<typeof realAnswers>>;
  const thrown: unknown[] = [];
  const onError = (err: unknown) => thrown.push(err);

  before(async () => {
    real = await realAnswers();
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
  });
  after(() => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  });

  it('the parser and the readers of events and discovery take any bytes', async () => {
    const samples = [...real.answers.values(), real.probeMatch];
    const watch = watchProcess();
    const rounds = await fuzzFor(fuzzBudget(3), (random) => {
      const input = fuzzedAnswer(random, random.pick(samples)).toString('utf8');
      let root;
      try {
        root = parseXml(input);
      } catch (err) {
        // The parser's only failures: not XML, or beyond a limit.
        assert.ok(err instanceof XmlSyntaxError || err instanceof XmlLimitError, `unexpected ${(err as Error).name}: ${(err as Error).message}`);
      }
      const response = child(root, 'Body')?.children[0];
      if (response) {
        readNotifications(response);
        try {
          readSubscription(response, 60_000);
        } catch (err) {
          assert.match((err as Error).message, /no subscription address/);
        }
      }
      readProbeMatches(input);
    });
    const seen = watch.stop();
    assert.ok(rounds > 50, `only ${rounds} rounds`);
    assert.ok(seen.maxStallMs < STALL_BOUND_MS, `the event loop stalled ${Math.round(seen.maxStallMs)} ms`);
    assert.ok(seen.peakRssBytes - seen.startRssBytes < RSS_BOUND_BYTES, `RSS grew by ${Math.round((seen.peakRssBytes - seen.startRssBytes) / 1048576)} MiB`);
    assert.deepEqual(thrown, []);
  });

  it('the driver survives a camera that answers every request with fuzzed replies', async () => {
    let server: Server | undefined;
    let random: FuzzRandom | undefined;
    const answered = { count: 0 };
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        answered.count++;
        const name = /Body>\s*<(\w+)/.exec(body)?.[1] ?? '';
        const r = random!;
        const headers: Record<string, string> = { 'Content-Type': 'application/soap+xml' };
        // Half the answers are the real ones, so that connects get far (profiles, events) before a fuzzed one.
        if (r.chance(0.5)) return res.writeHead(200, headers).end(real.answers.get(name) ?? '');
        const status = r.pick([200, 200, 200, 400, 401, 500, 302]);
        if (status === 401) headers['WWW-Authenticate'] = r.pick(['Basic realm="x"', 'Digest realm="x", nonce="abc", qop="auth"', 'Digest nonce=', 'Negotiate']);
        if (status === 302) headers['Location'] = 'http://127.0.0.2:9/elsewhere';
        res.writeHead(status, headers);
        res.end(fuzzedAnswer(r, real.answers.get(name)));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/onvif/device_service`;
    const context = createTestContext({ driver: 'onvif' });
    const instance = onvif.create(context) as OnvifInstance;
    const watch = watchProcess();
    try {
      // Reaching online takes every request of a connect answered for real (half are): on a loaded
      // machine one budget may hold too few connects for that, so the fuzz goes on, a budget at a
      // time, until one has (at most five budgets).
      const reachedOnline = () => context.healthChanges.some((h) => h.state === 'online');
      let rounds = 0;
      for (let budgets = 0; budgets < 5 && (budgets === 0 || !reachedOnline()); budgets++) rounds += await fuzzFor(fuzzBudget(3), async (r, round) => {
        const index = rounds + round;
        random = r;
        const device = testDevice(onvif, {
          id: `cam-${index}`,
          timeout: 1000,
          reconnect: { initialDelay: 20, maxDelay: 50 },
          log: context.log.child({ device: `cam-${index}` }),
          points: [{ id: 'online' }, { id: 'motion' }],
          connection: { url, user: 'gateway', password: 'Fuzz-Pa55', events: { termination: 2000, pullTimeout: 1000 } },
        }) as DeviceRef<OnvifConnection, OnvifPointFields>;
        await instance.addDevice(device);
        instance.startDevice(device);
        // Until it is online or has failed three connects (about 150 ms on an idle machine): a
        // count of attempts rather than a time, so a loaded machine tries as far as an idle one.
        const mine = () => context.healthChanges.filter((h) => h.device === device.id);
        for (let waited = 0; waited < 3000; waited += 10) {
          if (mine().some((h) => h.state === 'online') || mine().filter((h) => h.state === 'offline').length >= 3) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await instance.removeDevice(device.id);
      });
    } finally {
      await instance.stop();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    const seen = watch.stop();
    assert.ok(answered.count > 20, `the camera answered only ${answered.count} requests`);
    assert.ok(context.healthChanges.some((h) => h.state === 'online'), 'some connects got through to online');
    for (const change of context.healthChanges.filter((h) => h.state === 'offline')) {
      assert.ok(change.reason instanceof SensegateError, `a failure that is no SensegateError: ${String(change.reason)}`);
      assert.match(change.reason.message, new RegExp(`camera ${change.device}`));
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(change.reason.message, /[\u0000-\u001f\u007f]/, 'what a camera sends cannot put control characters into a message');
    }
    assert.ok(!JSON.stringify(context.logs).includes('Fuzz-Pa55'), 'the password is never logged');
    assert.ok(seen.maxStallMs < STALL_BOUND_MS, `the event loop stalled ${Math.round(seen.maxStallMs)} ms`);
    assert.ok(seen.peakRssBytes - seen.startRssBytes < RSS_BOUND_BYTES, `RSS grew by ${Math.round((seen.peakRssBytes - seen.startRssBytes) / 1048576)} MiB`);
    assert.deepEqual(thrown, []);
  });
});
