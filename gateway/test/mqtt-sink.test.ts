// The MQTT sink against real brokers: MQTT 5, passwords from the environment and from files, TLS
// with client certificates, and the last will when a gateway vanishes. These need Mosquitto (CI
// installs it); without it they are skipped and say so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BirthInfo, Logger, SinkInstance as Sink } from '@sensegate/sdk';
import mqttSink from '@sensegate/sink-mqtt';
import { Metrics } from '../src/metrics.js';
import { createSink } from '../src/sinks/create.js';
import { sinkSchemaFor } from '../src/sinks/sink-schema.js';
import { findMosquitto, privateMosquitto, type StoppableBroker } from './support/broker.js';
import { startCli } from './support/cli.js';
import { FeedConsumer, feedSchemaProblems } from './support/feed.js';
import { delay, waitFor } from '@sensegate/sdk/testing';

const skip = findMosquitto() ? false : 'Mosquitto is not installed (apt-get install mosquitto)';

const birth: BirthInfo = { gateway: 'sink-test', version: 'test', session: 7, startedAt: Date.now(), devices: [] };

/** A logger that keeps every line, to check what a field engineer would read. */
function recordingLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (a: unknown, b?: string) => lines.push({ level, message: typeof a === 'string' ? a : (b ?? '') });
  const log = { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

function sinkFor(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, baseDir = tmpdir()) {
  const log = recordingLogger();
  const config = sinkSchemaFor(mqttSink).parse({ type: 'mqtt', reconnect: { initialDelay: '100ms', maxDelay: '500ms' }, ...raw });
  const sink = createSink(mqttSink, config, { gatewayId: 'sink-test', version: 'test', log, metrics: new Metrics(), baseDir, env, devices: [] });
  return { sink, log };
}

const connected = (sink: Sink) => waitFor('the sink to connect', () => sink.connected, { timeout: 10_000 });
const message = (seq: number) => ({
  kind: 'reading' as const,
  seq,
  count: 2,
  historical: false,
  items: `{"device":"d","point":"p","ts":${Date.now()},"value":1.5,"quality":"good"},{"device":"d","point":"q","ts":${Date.now()},"value":"a,b}","quality":"good"}`,
});

describe('MQTT sink', { skip }, () => {
  let dir: string;
  const brokers: StoppableBroker[] = [];
  const sinks: Sink[] = [];
  const consumers: FeedConsumer[] = [];
  const broker = async (config: string) => {
    const b = (await privateMosquitto(config))!;
    brokers.push(b);
    return b;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-sink-'));
    await chmod(dir, 0o755);
  });

  after(async () => {
    for (const s of sinks) await s.stop().catch(() => {});
    for (const c of consumers) await c.close().catch(() => {});
    for (const b of brokers) await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes over MQTT 5 with QoS 1, resolving on the PUBACK', async () => {
    const b = await broker('listener {port} 127.0.0.1\nallow_anonymous true\n');
    const consumer = await FeedConsumer.connect(b.url, 'sink-test');
    consumers.push(consumer);
    const { sink } = sinkFor({ url: b.url, protocolVersion: 5 });
    sinks.push(sink);
    await sink.start(birth);
    await connected(sink);
    await sink.send(message(41));
    const [, q] = await consumer.waitForReadings('both readings', () => true, 2);
    assert.equal(q!.value, 'a,b}');
    assert.equal(consumer.data[0]!.payload.seq, 41);
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.status]), []);
  });

  it('logs in with a password from the environment or a file; a wrong one is refused and said so once', async () => {
    const passwords = join(dir, 'passwd');
    await writeFile(passwords, '');
    execFileSync('mosquitto_passwd', ['-b', passwords, 'gateway-7', 's3cret']);
    await chmod(passwords, 0o644);
    const b = await broker(`listener {port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwords}\n`);

    const fromEnv = sinkFor({ url: b.url, username: 'gateway-7', password: { env: 'SINK_TEST_PASSWORD' } }, { SINK_TEST_PASSWORD: 's3cret' });
    sinks.push(fromEnv.sink);
    await fromEnv.sink.start(birth);
    await connected(fromEnv.sink);
    await fromEnv.sink.send(message(1));

    await writeFile(join(dir, 'mqtt-password'), 's3cret\n');
    const fromFile = sinkFor({ url: b.url, clientId: 'from-file', username: 'gateway-7', password: { file: 'mqtt-password' } }, {}, dir);
    sinks.push(fromFile.sink);
    await fromFile.sink.start(birth);
    await connected(fromFile.sink);

    const wrong = sinkFor({ url: b.url, clientId: 'wrong', username: 'gateway-7', password: 'guess' });
    sinks.push(wrong.sink);
    await wrong.sink.start(birth);
    await waitFor('several refused attempts', () => wrong.log.lines.filter((l) => l.level === 'debug').length >= 2);
    assert.equal(wrong.sink.connected, false);
    const warnings = wrong.log.lines.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, 'one warning per episode, not one per attempt');
    assert.match(warnings[0]!.message, /cannot connect to mqtt:\/\/127\.0\.0\.1:\d+ \(.*[Nn]ot authori[sz]ed/);
    assert.doesNotMatch(JSON.stringify(wrong.log.lines), /guess/, 'the password never reaches the log');
  });

  it('refuses a missing secret by name at construction', () => {
    assert.throws(() => sinkFor({ url: 'mqtt://127.0.0.1:1', username: 'u', password: { env: 'SINK_TEST_NOT_SET' } }), /SINK_TEST_NOT_SET is not set/);
  });

  it('connects over TLS with a client certificate; without the CA the broker is not trusted', async () => {
    const pki = join(dir, 'pki');
    const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { cwd: dir, stdio: 'pipe' });
    sh(`mkdir -p ${pki} && cd ${pki} &&
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sensegate test CA" -keyout ca.key -out ca.crt 2>/dev/null &&
      openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null &&
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext &&
      openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt 2>/dev/null &&
      openssl req -newkey rsa:2048 -nodes -subj "/CN=gateway-7" -keyout client.key -out client.csr 2>/dev/null &&
      openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt 2>/dev/null &&
      chmod 755 . && chmod 644 *`);
    const b = await broker(
      `listener {port} 127.0.0.1\nallow_anonymous true\ncafile ${pki}/ca.crt\ncertfile ${pki}/server.crt\nkeyfile ${pki}/server.key\nrequire_certificate true\n`,
    );
    const url = b.url.replace('mqtt://', 'mqtts://');
    const good = sinkFor({ url, tls: { ca: 'pki/ca.crt', cert: 'pki/client.crt', key: 'pki/client.key' } }, {}, dir);
    sinks.push(good.sink);
    await good.sink.start(birth);
    await connected(good.sink);
    await good.sink.send(message(1));

    const untrusted = sinkFor({ url, clientId: 'untrusted', tls: { cert: 'pki/client.crt', key: 'pki/client.key' } }, {}, dir);
    sinks.push(untrusted.sink);
    await untrusted.sink.start(birth);
    const warning = await waitFor('a warning', () => untrusted.log.lines.find((l) => l.level === 'warn'));
    assert.match(warning.message, /cannot connect to mqtts:.*(certificate|self.signed|issuer)/i);
    assert.equal(untrusted.sink.connected, false);

    assert.throws(() => sinkFor({ url, tls: { ca: 'pki/missing.crt' } }, {}, dir), /tls\.ca: cannot read .*missing\.crt/);
  });

  it('leaves a retained death as its last will when the gateway process vanishes', async () => {
    const b = await broker('listener {port} 127.0.0.1\nallow_anonymous true\n');
    const config = join(dir, 'will.yaml');
    await writeFile(config, `gateway: { id: will-test }\nsinks:\n  - type: mqtt\n    url: ${b.url}\n`);
    const consumer = await FeedConsumer.connect(b.url, 'will-test');
    consumers.push(consumer);
    const gateway = startCli(['run', '--config', config, '--data', join(dir, 'will-data'), '--log-format', 'json']);
    const born = await consumer.waitForStatus('birth');
    await delay(200);
    await gateway.kill9();
    const death = await consumer.waitForStatus('death', born.at);
    assert.equal(death.payload.reason, 'lost');
    assert.equal(death.payload.session, born.payload.session);
    assert.deepEqual(feedSchemaProblems([born, death]), []);
  });
});
