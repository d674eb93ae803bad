/**
 * @sensegate/driver-hj212: HJ 212-2017 (and HJ/T 212-2005) environmental monitoring stations over
 * TCP. Data loggers dial in to the gateway, which listens, recognises each station by MN and
 * password, publishes the values its points take with the station's data times and flags,
 * acknowledges uploads that ask for it, and sends commands (set time, upload intervals).
 */
import { fileURLToPath } from 'node:url';
import { defineDriver } from '@sensegate/sdk';
import { connectionSchema } from './config/connection.js';
import { pointSchema } from './config/point.js';
import { createHj212Instance } from './hj212-instance.js';
import { VERSION } from './version.js';

const hj212 = defineDriver({
  name: 'hj212',
  version: VERSION,
  description: 'HJ 212-2017 / HJ/T 212-2005 environmental monitoring stations over TCP: loggers dial in; uploads published with data times and flags, acknowledged, commands sent.',
  connection: connectionSchema,
  point: pointSchema,
  // A command point carries no data: it is written, never read.
  pointDirection: (point) => (point.command !== undefined ? 'write' : undefined),
  // `../profiles` from src/ and from dist/ alike.
  profiles: fileURLToPath(new URL('../profiles', import.meta.url)),
  simulator: '@sensegate/sim-hj212',
  create: (context) => createHj212Instance(context),
});

export default hj212;

export { connectionSchema, DIALECTS, type Hj212Connection, type Hj212ConnectionInput } from './config/connection.js';
export {
  COMMANDS,
  DATA_KINDS,
  MEASURED_FIELDS,
  defaultField,
  pointProblems,
  pointSchema,
  pointShape,
  type CommandName,
  type DataKind,
  type Hj212PointFields,
} from './config/point.js';
export { commandRequest, REALTIME_INTERVAL, type CommandRequest } from './station/commands.js';
export { Hj212Instance, createHj212Instance, type Hj212Endpoint } from './hj212-instance.js';
export { MAX_BAD_IN_A_ROW } from '@sensegate/sdk';
export { MAX_PACKETS as MAX_SPLIT_PACKETS, MAX_SETS as MAX_SPLIT_SETS } from './station/split-messages.js';
export type { Hj212Stats } from './server/stats.js';
export { VERSION } from './version.js';
