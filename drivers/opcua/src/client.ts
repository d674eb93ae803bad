/**
 * `@sensegate/driver-opcua/client`: the OPC UA client side on its own (sessions with a device's
 * security settings, browsing, value conversion), for tools such as `sensegate browse opcua`. It
 * loads node-opcua; the main entry does not until a device is added.
 */
export * from './client/runtime.js';
