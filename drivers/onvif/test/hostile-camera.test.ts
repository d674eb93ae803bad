// A camera on the site network is not to be trusted with more than it needs. These tests put the
// driver in front of a hostile camera written here (node:http) and an attacker's second host
// (127.0.0.2): the camera reports its stream and snapshot on the attacker's host, challenges with
// Basic over plain HTTP, redirects, and answers with replies built to freeze or exhaust the
// gateway. The driver must keep the account to the configured address, never send it readable,
// and fail each bad reply cleanly, naming the camera, without stalling the process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceRef } from '@sensegate/sdk';
import { createTestContext, testDevice, waitFor, watchProcess, type TestContext } from '@sensegate/sdk/testing';
import onvif, { type OnvifConnection, type OnvifInstance, type OnvifPointFields } from '../src/index.js';
import { envelope, startHostileCamera, startRecorder, type HostileCamera, type HostileCameraOptions, type Reply } from './support/hostile-camera.js';

const PASSWORD = 'Real-Cam-Pa55';

interface Site {
  camera: HostileCamera;
  context: TestContext;
  instance: OnvifInstance;
  close(): Promise<void>;
}

async function site(options: HostileCameraOptions, connection: Record<string, unknown> = {}, timeout = 2000): Promise<Site> {
  const camera = await startHostileCamera(options);
  const context = createTestContext({ driver: 'onvif' });
  const instance = onvif.create(context) as OnvifInstance;
  const device = testDevice(onvif, {
    id: 'street-cam',
    timeout,
    reconnect: { initialDelay: 500, maxDelay: 2000 },
    log: context.log.child({ device: 'street-cam' }),
    points: [{ id: 'online' }],
    connection: { url: camera.url, user: 'gateway', password: PASSWORD, events: { enabled: false }, ...connection },
  }) as DeviceRef<OnvifConnection, OnvifPointFields>;
  await instance.addDevice(device);
  instance.startDevice(device);
  return {
    camera,
    context,
    instance,
    async close() {
      await instance.stop();
      await camera.close();
    },
  };
}

const online = (s: Site) => waitFor('the camera online', () => s.context.healthChanges.some((h) => h.state === 'online'));
const offline = (s: Site) => waitFor('the camera offline', () => s.context.healthChanges.find((h) => h.state === 'offline')?.reason as Error | undefined, { timeout: 30_000 });
const basicWithPassword = (header: string | undefined) => header !== undefined && /^basic /i.test(header) && Buffer.from(header.slice(6), 'base64').toString('utf8').includes(PASSWORD);

describe('a hostile camera does not get the account (finding 2)', () => {
  it('rewrites stream and snapshot URIs that name another host to the configured camera address', async (t) => {
    const attacker = await startRecorder();
    const s = await site({ streamUri: `rtsp://${attacker.host}:${attacker.port}/live?ch=1`, snapshotUri: `http://${attacker.host}:${attacker.port}/snap.jpg?size=big` });
    t.after(async () => {
      await s.close();
      await attacker.close();
    });
    await online(s);
    const [main] = s.context.mediaSources.get('street-cam')!;
    assert.equal(main!.url, `rtsp://127.0.0.1:${attacker.port}/live?ch=1`, 'the host is the configured one; port, path and query as reported');
    assert.equal(main!.snapshotUrl, `http://127.0.0.1:${attacker.port}/snap.jpg?size=big`);
    assert.deepEqual(main!.auth, { user: 'gateway', password: PASSWORD });
    assert.ok(
      s.context.logs.some((l) => /street-cam/.test(l.message) && l.message.includes(attacker.host) && /configured/.test(l.message)),
      'the log says that the camera reported another host and which one was used',
    );
    assert.equal(attacker.connections, 0);
  });

  it('maps a snapshot URI on the camera\'s own (NAT) address and port to the configured address', async (t) => {
    // Behind NAT a camera reports its private address; its own HTTP port is the one it reports for its device service.
    const services = {
      body: envelope(
        '<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>http://192.168.77.10/onvif/device_service</tds:XAddr></tds:Service>' +
          '<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>http://192.168.77.10/onvif/media_service</tds:XAddr></tds:Service></tds:GetServicesResponse>',
      ),
    };
    const s = await site({ snapshotUri: 'http://192.168.77.10:80/snap.jpg', streamUri: 'rtsp://192.168.77.10:554/main', replies: { GetServices: services } });
    t.after(() => s.close());
    await online(s);
    const [main] = s.context.mediaSources.get('street-cam')!;
    assert.equal(main!.snapshotUrl, `http://127.0.0.1:${s.camera.port}/snap.jpg`);
    assert.equal(main!.url, 'rtsp://127.0.0.1:554/main');
    assert.ok(s.camera.requests.some((r) => r.path === '/onvif/media_service'), 'media requests went to the configured host too');
  });

  it('uses the reported addresses as they are only when `preserveAddress: false` says the camera is trusted', async (t) => {
    const s = await site({ streamUri: 'rtsp://127.0.0.2:8554/live', snapshotUri: 'http://127.0.0.2:8080/snap.jpg' }, { preserveAddress: false });
    t.after(() => s.close());
    await online(s);
    const [main] = s.context.mediaSources.get('street-cam')!;
    assert.equal(main!.url, 'rtsp://127.0.0.2:8554/live');
    assert.equal(main!.snapshotUrl, 'http://127.0.0.2:8080/snap.jpg');
  });

  it('never answers a Basic challenge over plain HTTP, and says why', async (t) => {
    const s = await site({ challenge: 'Basic realm="camera"' });
    t.after(() => s.close());
    const reason = await offline(s);
    assert.ok(!s.camera.requests.some((r) => basicWithPassword(r.authorization)), 'no request carried the password in Basic');
    assert.equal((reason as { code?: string }).code, 'SG_INSECURE_AUTH');
    assert.match(reason.message, /street-cam/);
    assert.match(reason.message, /Basic/);
    assert.ok(!JSON.stringify(s.context.logs).includes(PASSWORD));
  });

  it('does not follow a redirect, so nothing reaches the host it points at', async (t) => {
    const attacker = await startRecorder();
    const s = await site({ replies: { GetDeviceInformation: { status: 307, headers: { Location: `http://${attacker.host}:${attacker.port}/onvif/device_service` }, body: '' } } });
    t.after(async () => {
      await s.close();
      await attacker.close();
    });
    const reason = await offline(s);
    assert.match(reason.message, /street-cam/);
    assert.match(reason.message, /redirect/i);
    assert.equal(attacker.connections, 0);
  });
});

/** An answer of `bytes` built from a repeated piece, inside a GetProfiles response. */
function pathological(piece: string, bytes: number, wrap: (inner: string) => string = (x) => x): Reply {
  return { body: envelope(`<trt:GetProfilesResponse>${wrap(piece.repeat(Math.ceil(bytes / piece.length)))}</trt:GetProfilesResponse>`) };
}

describe('a camera reply cannot freeze or exhaust the gateway (finding 3)', () => {
  const shapes: Array<[string, Reply]> = [
    ['many self-closing elements with attribute runs (read as unclosed by a pattern)', pathological('<trt:Profiles token="p" fixed="true" a="1" b="2"/>', 600_000)],
    ['a run of `xmlns` words without `=`', pathological('xmlns ', 300_000, (x) => `<trt:Profiles token="p"><tt:Name>${x}</tt:Name></trt:Profiles>`)],
    ['many xmlns attributes on one element', pathological(' xmlns:a="urn:x"', 1, () => `<trt:Profiles token="p"${Array.from({ length: 20_000 }, (_, i) => ` xmlns:n${i}="urn:x"`).join('')}/>`)],
    ['deep nesting', pathological('<tt:Extension>', 200_000)],
  ];
  for (const [name, reply] of shapes) {
    it(`refuses ${name} cleanly, naming the camera, without blocking the event loop`, async (t) => {
      const watch = watchProcess();
      const s = await site({ replies: { GetProfiles: reply } });
      t.after(() => s.close());
      const reason = await offline(s);
      const seen = watch.stop();
      assert.match(reason.message, /street-cam/);
      assert.match(reason.message, /GetProfiles/);
      assert.ok(seen.maxStallMs < 1000, `the event loop stalled ${Math.round(seen.maxStallMs)} ms`);
    });
  }

  it('cuts an endless reply at the size cap: memory stays bounded and the socket is closed', async (t) => {
    // Comments: well-formed, within every XML limit, so only the byte cap can stop it.
    const chunk = Buffer.from(`<!--${'x'.repeat(64 * 1024)}-->`);
    const endless: Reply = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/soap+xml' });
      res.write(envelope('<trt:GetProfilesResponse>').replace('</s:Body></s:Envelope>', ''));
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    };
    const watch = watchProcess();
    const s = await site({ replies: { GetProfiles: endless } }, {}, 4000);
    t.after(() => s.close());
    const reason = await offline(s);
    const closed = await waitFor('the camera sees its connection closed', () => s.camera.closed.find((c) => c.operation === 'GetProfiles'));
    const seen = watch.stop();
    assert.match(reason.message, /street-cam/);
    assert.match(reason.message, /larger than/);
    assert.ok(closed.bytesWritten < 32 * 1024 * 1024, `the camera wrote ${closed.bytesWritten} bytes before the gateway hung up`);
    assert.ok(seen.peakRssBytes - seen.startRssBytes < 200 * 1024 * 1024, `RSS grew by ${Math.round((seen.peakRssBytes - seen.startRssBytes) / 1048576)} MiB`);
  });

  it('aborts a reply that drips slower than the deadline, closing the socket', async (t) => {
    const drip: Reply = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/soap+xml' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
      res.on('close', () => clearInterval(timer));
    };
    const s = await site({ replies: { GetProfiles: drip } }, {}, 1000);
    t.after(() => s.close());
    const reason = await offline(s);
    assert.equal((reason as { code?: string }).code, 'SG_REQUEST_TIMEOUT');
    assert.match(reason.message, /street-cam/);
    await waitFor('the camera sees its connection closed', () => s.camera.closed.some((c) => c.operation === 'GetProfiles'), { timeout: 5000 });
  });
});
