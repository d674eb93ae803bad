/** Programmatic use of the gateway: load a configuration and run it, as the CLI does. */
export { Gateway, type GatewayOptions, type GatewayStatus } from './runtime/gateway.js';
export { loadConfigFile, loadConfigText, type DeviceConfig, type GatewayConfig, type PointConfig } from './config/load.js';
export { ConfigError, formatIssue, type ConfigIssue } from './config/issues.js';
export { configJsonSchema } from './config/json-schema.js';
export { DriverRegistry, BUILTIN_DRIVERS } from './drivers/registry.js';
export { createLogger } from './log.js';
export { Metrics } from './metrics.js';
export { VERSION } from './version.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.js';
export { BUILTIN_SINKS, SinkRegistry } from './sinks/registry.js';
export type { SinkConfig } from './sinks/sink-schema.js';
export { feedTopics, FEED_VERSION } from '@sensegate/sink-mqtt';
