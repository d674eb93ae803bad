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
export { feedTopics, FEED_VERSION } from './sinks/mqtt/sink.js';
