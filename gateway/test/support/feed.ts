/**
 * A platform consumer for tests: subscribes to a gateway's topics on a real broker and keeps every
 * message, parsed, with helpers to ask what arrived.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import mqtt from 'mqtt';
import type { Reading } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';

export interface DataMessage {
  v: number;
  gateway: string;
  seq: number;
  historical: boolean;
  sent: number;
  readings?: Reading[];
  events?: Array<Record<string, unknown>>;
}

export interface Received<T> {
  topic: string;
  at: number;
  retain: boolean;
  payload: T;
  raw: string;
}

export class FeedConsumer {
  readonly data: Array<Received<DataMessage>> = [];
  readonly events: Array<Received<DataMessage>> = [];
  readonly status: Array<Received<Record<string, unknown>>> = [];
  /** Command acknowledgements (`.../commands/ack`). */
  readonly acks: Array<Received<Record<string, unknown>>> = [];
  private constructor(
    private readonly client: mqtt.MqttClient,
    private readonly base: string,
  ) {}

  /**
   * `persistent`: a persistent session (clean: false), so that across a broker restart the broker
   * keeps the subscription and queues what arrives for it (with `stoppableBroker({ persistent: true })`).
   */
  static async connect(url: string, gateway: string, prefix = 'sensegate/v1', options: { persistent?: boolean } = {}): Promise<FeedConsumer> {
    const client = await mqtt.connectAsync(url, {
      clean: !options.persistent,
      reconnectPeriod: 200,
      clientId: `test-consumer-${process.pid}-${Math.random().toString(16).slice(2)}`,
    });
    const consumer = new FeedConsumer(client, `${prefix}/${gateway}`);
    client.on('message', (topic, payload, packet) => {
      if (topic.endsWith('/commands')) return; // our own requests (a test may send malformed ones)
      const raw = payload.toString('utf8');
      const entry = { topic, at: Date.now(), retain: packet.retain, raw, payload: raw ? JSON.parse(raw) : {} };
      if (topic.endsWith('/commands/ack')) consumer.acks.push(entry);
      else if (topic.endsWith('/data')) consumer.data.push(entry);
      else if (topic.endsWith('/events')) consumer.events.push(entry);
      else if (topic.endsWith('/status')) consumer.status.push(entry);
    });
    await client.subscribeAsync(`${prefix}/${gateway}/#`, { qos: 1 });
    return consumer;
  }

  /** Every reading received, with the sequence number it was delivered under. */
  readings(): Array<Reading & { seq: number; historical: boolean }> {
    return this.data.flatMap((m) => (m.payload.readings ?? []).map((r, i) => ({ ...r, seq: m.payload.seq + i, historical: m.payload.historical })));
  }

  /** Sequence numbers of every entry received (data and events), sorted, duplicates kept. */
  seqs(): number[] {
    const out: number[] = [];
    for (const m of [...this.data, ...this.events]) {
      const n = (m.payload.readings ?? m.payload.events ?? []).length;
      for (let i = 0; i < n; i++) out.push(m.payload.seq + i);
    }
    return out.sort((a, b) => a - b);
  }

  waitForReadings(what: string, predicate: (r: Reading & { seq: number }) => boolean, count = 1, timeout = 20_000) {
    return waitFor(what, () => {
      const found = this.readings().filter(predicate);
      return found.length >= count ? found : undefined;
    }, { timeout });
  }

  /** Sends a command request (raw text, or an object) as the platform would, and waits for its acknowledgement. */
  async command(request: Record<string, unknown> | string, timeout = 20_000): Promise<Record<string, unknown>> {
    const raw = typeof request === 'string' ? request : JSON.stringify(request);
    const id = typeof request === 'string' ? undefined : request.id;
    const since = this.acks.length;
    await this.client.publishAsync(`${this.base}/commands`, raw, { qos: 1 });
    const ack = await waitFor(`the acknowledgement of ${raw.slice(0, 80)}`, () =>
      this.acks.slice(since).find((a) => (id === undefined ? true : a.payload.id === id)),
    { timeout });
    return ack.payload;
  }

  /** Every event received, in order. */
  allEvents(): Array<Record<string, unknown>> {
    return this.events.flatMap((m) => m.payload.events ?? []);
  }

  waitForStatus(type: 'birth' | 'death', after = 0, timeout = 20_000) {
    return waitFor(`a ${type} message`, () => this.status.find((m) => m.at >= after && m.payload.type === type), { timeout });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Validates messages against docs/feed.schema.json; returns the problems. */
export function feedSchemaProblems(messages: Array<{ topic: string; raw: string }>): string[] {
  const schemaPath = fileURLToPath(new URL('../../../docs/feed.schema.json', import.meta.url));
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  const problems: string[] = [];
  for (const m of messages) {
    if (!m.raw) continue; // a cleared retained message
    if (!validate(JSON.parse(m.raw))) problems.push(`${m.topic}: ${ajv.errorsText(validate.errors)} in ${m.raw.slice(0, 200)}`);
  }
  return problems;
}
