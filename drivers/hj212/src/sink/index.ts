/**
 * @sensegate/driver-hj212/sink: the HJ 212 relay sink (`sinks: - type: hj212`). The gateway reports
 * its `hj212` stations' data to a higher platform as a data logger would, journaled and replayed
 * like any sink.
 */
import { defineSink } from '@sensegate/sdk';
import { VERSION } from '../version.js';
import { createHj212Sink } from './relay-sink.js';
import { hj212SinkSchema } from './schema.js';

const hj212Relay = defineSink({
  type: 'hj212',
  version: VERSION,
  description: 'Relay the data of `hj212` stations to a higher platform as an HJ 212 client, journaled and replayed like any sink.',
  config: hj212SinkSchema,
  create: (config, context) => createHj212Sink(config, context),
});

export default hj212Relay;

export { createHj212Sink } from './relay-sink.js';
export { flagOf, relayPackets, type RelayPacket } from './packets.js';
export { hj212SinkSchema, type Hj212SinkConfig } from './schema.js';
export { relayStations, type RelayPoint, type RelayStation } from './stations.js';
