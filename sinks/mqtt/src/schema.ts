/**
 * The sink's own fields of a `sinks: - type: mqtt` block. The gateway adds `type`, `name` and the
 * delivery settings every sink type shares (batching, in-flight window, replay rate).
 */
import { backoffSchema, byteSize, duration, secret } from '@sensegate/sdk';
import { z } from 'zod';

export const DEFAULT_TOPIC_PREFIX = 'sensegate/v1';

const tlsSchema = z
  .object({
    ca: z.string().optional().describe('PEM file of the CA that signed the broker\'s certificate (default: the system\'s trusted CAs). Relative to the config file.'),
    cert: z.string().optional().describe('PEM file of the gateway\'s client certificate, for brokers that authenticate clients by certificate.'),
    key: z.string().optional().describe('PEM file of the client certificate\'s private key.'),
    passphrase: secret('Passphrase of the private key, if it is encrypted.').optional(),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a broker whose certificate does not verify. Turn off only on a test bench.'),
    servername: z.string().optional().describe('Name to verify the broker\'s certificate against, when it differs from the URL\'s host.'),
  })
  .strict()
  .describe('TLS settings for `mqtts://` and `wss://` URLs.');

export const mqttSinkSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL, e.g. mqtt://broker.city.example:1883')
      .describe('Broker URL: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss:// (MQTT over WebSocket).'),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(4)
      .describe('MQTT protocol level: 4 is MQTT 3.1.1, 5 is MQTT 5.'),
    clientId: z.string().min(1).max(128).optional().describe('MQTT client id (default `sensegate-<gateway id>`); must be unique on the broker.'),
    username: z.string().optional().describe('User name for the broker.'),
    password: secret('Password for the broker.').optional(),
    tls: tlsSchema.optional(),
    topicPrefix: z
      .string()
      .regex(/^[^#+\s]*[^#+\s/]$/, 'a topic prefix without wildcards, spaces or a trailing slash')
      .default(DEFAULT_TOPIC_PREFIX)
      .describe('Topics are `<topicPrefix>/<gateway id>/data`, `/events` and `/status`; see docs/feed.md.'),
    keepalive: duration('MQTT keep-alive; a dead link is noticed after 1.5 times this.').pipe(z.number().min(1000)).default(30_000),
    connectTimeout: duration('Time allowed for a connection attempt, TCP and TLS handshake and CONNACK.').default(10_000),
    reconnect: backoffSchema.default({ initialDelay: 500, maxDelay: 30_000 }),
    maxMessageBytes: byteSize('Largest message payload; a batch is cut before it grows past this (brokers commonly refuse above 256 KiB to 1 MiB).')
      .pipe(z.number().min(4096))
      .default(256 * 1024),
  })
  .strict();

export type MqttSinkConfig = z.output<typeof mqttSinkSchema>;
