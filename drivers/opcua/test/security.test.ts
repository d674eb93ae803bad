import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { addTrustedCertificate, listCertificates, trustCertificate } from '../src/index.js';
import { allArrived, plant, startRig, type Rig } from './support/plant.js';

let rig: Rig;
before(async () => {
  rig = await startRig({ allowAnonymous: false, users: [{ userName: 'operator', password: 's3cret' }] });
});
after(() => rig.close());

const secure = (policy: string, password = 's3cret') => ({
  securityMode: 'SignAndEncrypt',
  securityPolicy: policy,
  user: { userName: 'operator', password },
});

function offlineReason(device: string): string | undefined {
  const h = rig.context.healthChanges.filter((c) => c.device === device && c.state === 'offline').at(-1);
  return h?.reason === undefined ? undefined : typeof h.reason === 'string' ? h.reason : h.reason.message;
}

test('an untrusted server certificate is refused with its thumbprint, and trusting it lets the session in', async () => {
  const device = rig.device({ id: 'untrusted', connection: secure('Basic256Sha256'), points: [{ id: 'level', nodeId: plant('Tank1.Level') }] });
  await rig.run(device);
  const reason = await waitFor('the refusal', () => offlineReason('untrusted'));
  assert.match(reason, /the server's certificate \(thumbprint [0-9a-f]{40}\) is not trusted; it was saved in .*pki\/rejected\. Trust it with: sensegate opcua certs trust [0-9a-f]{40}/);
  const thumbprint = /thumbprint ([0-9a-f]{40})/.exec(reason)![1]!;
  const pki = rig.instance.pki;
  const rejected = listCertificates(pki).filter((c) => c.state === 'rejected');
  assert.deepEqual(rejected.map((c) => c.thumbprint), [thumbprint]);
  assert.equal(rig.values('untrusted', 'level').length, 0, 'nothing is read from an untrusted server');

  const trusted = trustCertificate(pki, thumbprint.slice(0, 8));
  assert.equal(trusted.state, 'trusted');
  await allArrived(rig, device, 0, 15_000);
  await rig.instance.removeDevice('untrusted');
});

for (const policy of ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']) {
  test(`SignAndEncrypt with ${policy} and a user name works`, async () => {
    addTrustedCertificate(rig.instance.pki, await readFile(rig.sim.certificateFile), 'plant');
    const device = rig.device({ id: `secure-${policy}`, connection: secure(policy), points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }] });
    await rig.run(device);
    await allArrived(rig, device);
    await rig.instance.removeDevice(device.id);
  });
}

test('Sign without encryption works too', async () => {
  const device = rig.device({
    id: 'signed',
    connection: { securityMode: 'Sign', securityPolicy: 'Basic256Sha256', user: { userName: 'operator', password: 's3cret' } },
    points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }],
  });
  await rig.run(device);
  await allArrived(rig, device);
  await rig.instance.removeDevice(device.id);
});

test('a wrong password is a clear error naming the user, and nothing is read', async () => {
  const device = rig.device({ id: 'wrong', connection: secure('Basic256Sha256', 'guess'), points: [{ id: 'level', nodeId: plant('Tank1.Level') }] });
  await rig.run(device);
  const reason = await waitFor('the refusal', () => offlineReason('wrong'));
  assert.match(reason, /the server refused user "operator" \(Bad(UserAccessDenied|IdentityTokenRejected|IdentityTokenInvalid)\): check the user name and password/);
  assert.equal(rig.values('wrong', 'level').length, 0);
  await rig.instance.removeDevice('wrong');
});

test('anonymous access to a server that requires a user is a clear error', async () => {
  const device = rig.device({ id: 'anon', points: [{ id: 'level', nodeId: plant('Tank1.Level') }] });
  await rig.run(device);
  const reason = await waitFor('the refusal', () => offlineReason('anon'));
  assert.match(reason, /the server does not allow anonymous users on this endpoint; set connection\.user/);
  await rig.instance.removeDevice('anon');
});

test('a password from the environment is resolved when the device is added; a missing one is a config error', async () => {
  process.env.SG_TEST_PLANT_PASSWORD = 's3cret';
  const device = rig.device({
    id: 'env',
    connection: { securityMode: 'SignAndEncrypt', user: { userName: 'operator', password: { env: 'SG_TEST_PLANT_PASSWORD' } } },
    points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }],
  });
  await rig.run(device);
  await allArrived(rig, device);
  await rig.instance.removeDevice('env');
  const missing = rig.device({
    id: 'missing',
    connection: { user: { userName: 'operator', password: { env: 'SG_TEST_NO_SUCH_VARIABLE' } } },
    points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }],
  });
  await assert.rejects(rig.instance.addDevice(missing), /environment variable SG_TEST_NO_SUCH_VARIABLE is not set/);
});

test('the PKI lives under the driver data folder, with the gateway\'s own certificate', () => {
  assert.equal(rig.instance.pki, join(rig.context.dataDir, 'pki'));
  assert.ok(listCertificates(rig.instance.pki).some((c) => c.state === 'own'));
});

test('a user certificate logs in (X509 identity), signed with its private key', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdir, mkdtemp, rm, copyFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { startOpcuaSimulator } = await import('@sensegate/sim-opcua');
  const { createTestContext, testDevice } = await import('@sensegate/sdk/testing');
  const opcua = (await import('../src/index.js')).default;
  const dir = await mkdtemp(join(tmpdir(), 'sg-opcua-x509-'));
  try {
    // A user certificate, trusted by the server's user PKI before it starts.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=sensegate-operator',
      '-keyout', join(dir, 'user.key'), '-out', join(dir, 'user.pem'),
      '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment',
    ], { stdio: 'pipe', env: { ...process.env, OPENSSL_CONF: undefined } });
    await mkdir(join(dir, 'server-pki/users/trusted/certs'), { recursive: true });
    await copyFile(join(dir, 'user.pem'), join(dir, 'server-pki/users/trusted/certs/operator.pem'));
    const sim = await startOpcuaSimulator({ port: 0, pkiDir: join(dir, 'server-pki'), allowAnonymous: false });
    const context = createTestContext({ driver: 'opcua', dataDir: join(dir, 'driver') });
    const instance = opcua.create(context);
    try {
      addTrustedCertificate(join(dir, 'driver', 'pki'), await readFile(sim.certificateFile), 'plant');
      const device = testDevice(opcua, {
        id: 'x509',
        connection: { endpoint: sim.endpoint, securityMode: 'SignAndEncrypt', user: { certificate: join(dir, 'user.pem'), privateKey: join(dir, 'user.key') }, publishingInterval: 200 },
        points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }],
      });
      await instance.addDevice(device);
      await instance.startDevice!(device);
      await waitFor('a value with the certificate login', () => context.published.find((p) => p.device === 'x509'));
      // node-opcua leaves OPENSSL_CONF as the string "undefined" after loading a key; programs the
      // gateway starts later must not inherit that.
      assert.notEqual(process.env.OPENSSL_CONF, 'undefined');
    } finally {
      await instance.stop();
      await sim.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a user name and password without message security: one warning when the device starts, naming it, the endpoint and what to do', async () => {
  const from = rig.context.logs.length;
  const clearText = (since: number) => rig.context.logs.slice(since).filter((l) => l.level === 'warn' && /without message security/.test(l.message));
  const device = rig.device({ id: 'in-clear', connection: { user: { userName: 'operator', password: 's3cret' } }, points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }] });
  await rig.run(device);
  await allArrived(rig, device);
  const [warning, ...more] = clearText(from);
  assert.ok(warning, 'a warning at start');
  assert.deepEqual(more, []);
  assert.equal(
    warning.message,
    `device in-clear: the password of user "operator" is sent to ${rig.sim.endpoint} over a connection without message security (securityMode None), ` +
      'so anyone on the network path can read it unless the server\'s user token policy encrypts it. Set securityMode: SignAndEncrypt ' +
      '(securityPolicy Basic256Sha256 or newer) and trust the server\'s certificate (sensegate opcua certs), or make sure the server\'s policy for user names encrypts the password',
  );
  assert.equal(warning.fields.device, 'in-clear');
  assert.equal(warning.fields.endpoint, rig.sim.endpoint);

  // Once per device: reconnecting after a server restart does not repeat it.
  const published = rig.context.published.length;
  await rig.sim.restart({ downMs: 500 });
  await allArrived(rig, device, published, 15_000);
  assert.equal(clearText(from).length, 1);
  await rig.instance.removeDevice(device.id);

  // Not for a secured connection, an anonymous one, or a certificate login.
  addTrustedCertificate(rig.instance.pki, await readFile(rig.sim.certificateFile), 'plant');
  const quiet = rig.context.logs.length;
  for (const [id, connection] of [
    ['secured', secure('Basic256Sha256')],
    ['signed-only', { securityMode: 'Sign', securityPolicy: 'Basic256Sha256', user: { userName: 'operator', password: 's3cret' } }],
  ] as const) {
    const d = rig.device({ id, connection, points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }] });
    await rig.run(d);
    await allArrived(rig, d);
    await rig.instance.removeDevice(id);
  }
  await rig.instance.addDevice(rig.device({ id: 'anonymous', points: [{ id: 'speed', nodeId: plant('Pump1.Speed') }] }));
  await rig.instance.removeDevice('anonymous');
  assert.deepEqual(clearText(quiet), []);
});
