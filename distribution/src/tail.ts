/**
 * `sensegate tail`: a platform consumer for people. Subscribes to a gateway's feed on a broker and
 * prints one line per reading and event, so a field engineer can see what the platform receives.
 */
import mqtt from 'mqtt';
import { DEFAULT_TOPIC_PREFIX, feedTopics } from '@sensegate/sink-mqtt';
import { parseOptions, positiveInt, untilSignal } from '@sensegate/gateway/cli';

export const tailHelp = `Usage: sensegate tail [--mqtt URL] [--gateway ID] [--device ID] [--events] [--json] [--count N]

Prints the normalized feed as the platform receives it, one reading per line:
  2026-11-29T08:00:01.000Z  site-12  sonde-1/ph = 7.21 pH  good  #1042

  --mqtt URL       broker (default mqtt://127.0.0.1:1883)
  --gateway ID     only this gateway (default: every gateway under the prefix)
  --device ID      only this device
  --events         also print events (device state changes, alarms) and birth/death messages
  --json           print each reading as one JSON object per line, with gateway, seq and historical
  --count N        exit after N readings
  --prefix P       topic prefix (default ${DEFAULT_TOPIC_PREFIX})`;

interface Envelope {
  gateway: string;
  seq: number;
  historical: boolean;
  readings?: Array<Record<string, unknown>>;
  events?: Array<Record<string, unknown>>;
}

export async function runTail(argv: string[]): Promise<number> {
  const { values } = parseOptions('tail', argv, {
    mqtt: { type: 'string' },
    gateway: { type: 'string' },
    device: { type: 'string' },
    events: { type: 'boolean' },
    json: { type: 'boolean' },
    count: { type: 'string' },
    prefix: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(tailHelp + '\n');
    return 0;
  }
  const url = values.mqtt ?? 'mqtt://127.0.0.1:1883';
  const prefix = values.prefix ?? DEFAULT_TOPIC_PREFIX;
  const limit = positiveInt('tail', 'count', values.count);
  const out = process.stdout;
  const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 1000, clientId: `sensegate-tail-${process.pid}` });
  let printed = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  client.on('message', (topic, payload) => {
    const kind = topic.slice(topic.lastIndexOf('/') + 1);
    let message: Envelope & Record<string, unknown>;
    try {
      message = JSON.parse(payload.toString('utf8'));
    } catch {
      if (payload.length > 0) process.stderr.write(`${topic}: not JSON (${payload.length} bytes)\n`);
      return;
    }
    if (kind === 'status') {
      if (values.events) out.write(`${new Date().toISOString()}  ${message.gateway}  ${String(message.type).toUpperCase()}${message.reason ? ` (${message.reason})` : ''}  session ${message.session}\n`);
      return;
    }
    const entries = (kind === 'data' ? message.readings : message.events) ?? [];
    entries.forEach((entry, i) => {
      if (limit !== undefined && printed >= limit) return;
      if (values.device && entry.device !== values.device) return;
      if (kind === 'events' && !values.events) return;
      const seq = message.seq + i;
      if (values.json) {
        out.write(JSON.stringify({ gateway: message.gateway, seq, historical: message.historical, ...entry }) + '\n');
      } else if (kind === 'data') {
        const value = typeof entry.value === 'string' ? JSON.stringify(entry.value) : String(entry.value);
        out.write(
          `${new Date(entry.ts as number).toISOString()}  ${message.gateway}  ${entry.device}/${entry.point} = ${value}${entry.unit ? ` ${entry.unit}` : ''}` +
            `  ${entry.quality}${entry.status ? ` (${entry.status})` : ''}  #${seq}${message.historical ? '  historical' : ''}\n`,
        );
      } else {
        out.write(`${new Date(entry.ts as number).toISOString()}  ${message.gateway}  EVENT ${entry.type}${entry.device ? ` ${entry.device}` : ''}: ${entry.message}  #${seq}\n`);
      }
      if (kind === 'data' && limit !== undefined && ++printed >= limit) finish();
    });
  });
  const gw = values.gateway ?? '+';
  const topics = feedTopics(prefix, gw);
  await client.subscribeAsync([topics.data, topics.events, topics.status], { qos: 1 });
  process.stderr.write(`listening on ${url} for ${prefix}/${gw}/#  (Ctrl-C to stop)\n`);
  await Promise.race([done, untilSignal()]);
  await client.endAsync();
  return 0;
}
