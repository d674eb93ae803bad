/**
 * @sensegate/driver-sl651: SL 651-2014 hydrological telemetry (rain gauges, water-level and flow
 * stations) over TCP. Stations dial in to the gateway, which listens, recognises each station by
 * address and password, confirms its reports as the standard asks, and publishes the elements its
 * points name, stamped with the station's observation time.
 */
import { fileURLToPath } from 'node:url';
import { defineDriver } from '@sensegate/sdk';
import { connectionSchema } from './config/connection.js';
import { pointSchema } from './config/point.js';
import { createSl651Instance } from './sl651-instance.js';
import { VERSION } from './version.js';

const sl651 = defineDriver({
  name: 'sl651',
  version: VERSION,
  description: 'SL 651-2014 hydrological telemetry (HEX/BCD over TCP): stations dial in; reports confirmed, elements published with observation times.',
  connection: connectionSchema,
  point: pointSchema,
  // `../profiles` from src/ and from dist/ alike.
  profiles: fileURLToPath(new URL('../profiles', import.meta.url)),
  simulator: '@sensegate/sim-sl651',
  create: (context) => createSl651Instance(context),
});

export default sl651;

export { connectionSchema, REPLIES, type ReplyMode, type Sl651Connection, type Sl651ConnectionInput } from './config/connection.js';
export { pointSchema, pointShape, type Sl651PointFields } from './config/point.js';
export { Sl651Instance, createSl651Instance, type Sl651Endpoint } from './sl651-instance.js';
export type { Sl651Stats } from './server/stats.js';
export { VERSION } from './version.js';
