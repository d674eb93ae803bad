// A field engineer opens the API to the site network: `sensegate run` with `api.host` beyond
// loopback refuses to start without users, then serves HTTPS with a certificate it made, and each
// user may do what their role allows, named in the audit of what they did.
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { runCli, startCli, type CliProcess } from './support/cli.js';

const PROFILE = fileURLToPath(new URL('../../drivers/modbus/profiles/pump-station.yaml', import.meta.url));
/** An address of this machine that is not loopback; without one, the wildcard (which is not loopback either). */
const HOST = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address ?? '0.0.0.0';
const CONNECT_TO = HOST === '0.0.0.0' ? '127.0.0.1' : HOST;

interface Answer {
  status: number;
  body: { error?: { code: string; message: string }; ok?: boolean } & Record<string, unknown>;
}

describe('the API beyond loopback', () => {
  let dir: string;
  let data: string;
  let config: string;
  let sim: ModbusSimulator;
  let port: number;
  let gateway: CliProcess | undefined;
  let ca: string;

  function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: CONNECT_TO,
          port,
          path,
          method,
          ca,
          // The certificate names the address it was made for; the connection goes to the same machine.
          checkServerIdentity: () => undefined,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-api-exposed-'));
    data = join(dir, 'data');
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    port = await freePort();
    config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: exposed-gw }
devices:
  - id: lift-1
    driver: modbus
    profile: pump-station
    pollInterval: 300ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
commands:
  allow: [lift-1/speedSetpoint]
api:
  host: ${HOST}
  port: ${port}
`,
    );
  });

  after(async () => {
    await gateway?.stop();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start without users, saying what to do', async () => {
    const run = await runCli(['run', '--config', config, '--data', data, '--log-format', 'text']);
    assert.equal(run.code, 1);
    assert.match(run.stderr + run.stdout, new RegExp(`api\\.host is ${HOST.replace(/\./g, '\\.')}, beyond loopback, and .*users\\.json has no users.*sensegate users add NAME --role admin`));
  });

  it('serves HTTPS with the certificate it made, and each user what their role allows', async () => {
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, 'correct horse battery staple\n');
    for (const [user, role] of [['vera', 'viewer'], ['otto', 'operator']]) {
      const added = await runCli(['users', 'add', user!, '--role', role!, '--password-file', passwordFile, '--data', data]);
      assert.equal(added.code, 0, added.stderr);
    }
    const tokens: Record<string, string> = {};
    for (const user of ['vera', 'otto']) {
      const made = await runCli(['users', 'token', user, '--data', data]);
      assert.equal(made.code, 0, made.stderr);
      tokens[user] = made.stdout.trim();
    }

    gateway = startCli(['run', '--config', config, '--data', data, '--log-format', 'text']);
    const [, fingerprint] = (await gateway.waitForOutput(/SHA-256 fingerprint ([0-9A-F:]{95})/)) as RegExpMatchArray;
    await gateway.waitForOutput(/API, metrics and console at https:\/\//);
    ca = await readFile(join(data, 'api-tls', 'cert.pem'), 'utf8');
    assert.ok(fingerprint);

    const nobody = await call('GET', '/api/v1/status');
    assert.equal(nobody.status, 401);
    assert.equal(nobody.body.error!.code, 'SG_API_UNAUTHORIZED');
    assert.equal((await call('GET', '/healthz')).status, 200, 'health checks need nobody');

    assert.equal((await call('GET', '/api/v1/devices', tokens.vera)).status, 200);
    const viewerWrite = await call('POST', '/api/v1/devices/lift-1/points/speedSetpoint/write', tokens.vera, { value: 20 });
    assert.equal(viewerWrite.status, 403);
    assert.equal(viewerWrite.body.error!.code, 'SG_API_FORBIDDEN');

    const operatorWrite = await call('POST', '/api/v1/devices/lift-1/points/speedSetpoint/write', tokens.otto, { value: 21.5 });
    assert.equal(operatorWrite.status, 200, JSON.stringify(operatorWrite.body));
    assert.equal(operatorWrite.body.ok, true);
    const events = (await call('GET', '/api/v1/events?type=command', tokens.vera)).body as unknown as Array<Record<string, unknown>>;
    assert.match(JSON.stringify(events), new RegExp(`http otto@${CONNECT_TO.replace(/\./g, '\\.')}`), 'the audit names the operator');

    const validate = await call('POST', '/api/v1/config/validate', tokens.otto, { text: 'gateway: { id: x }' });
    assert.equal(validate.status, 403, 'checking a configuration is the admin\'s');
  });
});
