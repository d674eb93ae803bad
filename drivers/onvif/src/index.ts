/**
 * @sensegate/driver-onvif: ONVIF cameras (Profile S) through the driver's own bounded SOAP client
 * (src/soap; docs/decisions/0003). Connects with the
 * camera's clock (WS-UsernameToken works on cameras whose clock is hours off), announces the
 * camera's identity and its RTSP stream and snapshot URLs (credentials carried apart, never in a
 * URL), keeps a pull-point event subscription alive (renewed before expiry, re-created when the
 * camera forgets it) and turns motion and tamper into events and points, runs PTZ commands, and
 * finds cameras with WS-Discovery, by multicast or by unicast over a range. The camera runtime
 * (sessions, the SOAP client) is loaded when the first device is added.
 */
import { fileURLToPath } from 'node:url';
import { defineDriver } from '@sensegate/sdk';
import { commands } from './commands.js';
import { connectionSchema } from './config/connection.js';
import { onvifDiscover } from './discovery/cli.js';
import { pointSchema } from './config/point.js';
import { createOnvifInstance } from './onvif-instance.js';
import { VERSION } from './version.js';

const onvif = defineDriver({
  name: 'onvif',
  version: VERSION,
  description: 'ONVIF cameras: device info, RTSP stream and snapshot URIs, pull-point events (motion, tamper), PTZ commands, WS-Discovery.',
  connection: connectionSchema,
  point: pointSchema,
  // `../profiles` from src/ and from dist/ alike.
  profiles: fileURLToPath(new URL('../profiles', import.meta.url)),
  commands,
  discover: onvifDiscover,
  simulator: '@sensegate/sim-onvif',
  create: (context) => createOnvifInstance(context),
});

export default onvif;

export { commands, type CommandArgs, type CommandName } from './commands.js';
export { connectionSchema, deviceServiceUrl, type OnvifConnection, type OnvifConnectionInput } from './config/connection.js';
export { DRIVER_SOURCES, RELAY_SOURCES, SOURCES, pointSchema, pointShape, sourceOf, type OnvifPointFields, type PointSource } from './config/point.js';
export { OnvifInstance, createOnvifInstance } from './onvif-instance.js';
export type { SessionStats } from './camera/session.js';
export { mapNotification, kindOf, type EventKind, type MappedEvent } from './camera/event-map.js';
export type { Notification } from './camera/notification.js';
export { discoverOnvif, discoverOptionsSchema, type DiscoverOptions, type DiscoveredCamera, type DiscoveryResult } from './discovery/discover.js';
export { readProbeMatches, scopeValue, type ProbeMatch } from './discovery/probe-matches.js';
export { expandRange, MAX_RANGE } from './discovery/range.js';
export { DISCOVERY_GROUP, DISCOVERY_PORT } from './discovery/prober.js';
export { VERSION } from './version.js';
