/** Programmatic use of the gateway: load a configuration and run it, as the CLI does. */
export { Gateway, type GatewayOptions, type GatewayStatus } from './runtime/gateway.js';
export { loadConfigFile, loadConfigText, profilePath, type DeviceConfig, type GatewayConfig, type PointConfig } from './config/load.js';
export { ConfigError, formatIssue, type ConfigIssue } from './config/issues.js';
export { configJsonSchema } from './config/json-schema.js';
export { DriverRegistry } from './drivers/registry.js';
export { installBuiltins, builtins, type Builtins } from './plugins/builtins.js';
export { createLogger } from './log.js';
export { Metrics, PROMETHEUS_CONTENT_TYPE } from './metrics.js';
export { VERSION } from './version.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.js';
export { SinkRegistry } from './sinks/registry.js';
export type { SinkConfig } from './sinks/sink-schema.js';
export { ApiServer, type ApiServerOptions } from './api/server.js';
export { DEFAULT_API_PORT, type ApiConfig } from './api/schema.js';
