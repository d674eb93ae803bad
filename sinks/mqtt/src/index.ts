/**
 * @sensegate/sink-mqtt: forwards the feed to an MQTT broker (3.1.1 or 5) with QoS 1, a retained
 * birth and a last-will death message on the status topic, and takes commands from the platform.
 * The topics are described in docs/feed.md.
 */
import { defineSink } from '@sensegate/sdk';
import { createMqttSink } from './mqtt-sink.js';
import { mqttSinkSchema } from './schema.js';
import { VERSION } from './version.js';

const mqttSink = defineSink({
  type: 'mqtt',
  version: VERSION,
  description: 'Forward the feed to an MQTT broker (QoS 1), with a retained birth and a last-will death message.',
  config: mqttSinkSchema,
  create: (config, context) => createMqttSink(config, context),
});

export default mqttSink;

export { createMqttSink, feedTopics, FEED_VERSION, safeUrl, type FeedTopics } from './mqtt-sink.js';
export { DEFAULT_TOPIC_PREFIX, mqttSinkSchema, type MqttSinkConfig } from './schema.js';
export { VERSION } from './version.js';
