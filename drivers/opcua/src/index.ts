/**
 * @sensegate/driver-opcua: OPC UA servers (PLCs, SCADA, water plants) through node-opcua.
 * Subscriptions by default, polled reads per point; node ids by namespace URI; reads and item
 * creation split to the server's operation limits; None, Sign and SignAndEncrypt with anonymous,
 * user-name and certificate users; sessions and items that come back on their own after a server
 * restart, and a data-age watchdog for items that go silent. node-opcua is loaded when the first
 * device is added; the client side on its own is `@sensegate/driver-opcua/client`.
 */
import { defineDriver } from '@sensegate/sdk';
import { opcuaBrowse } from './cli/browse.js';
import { certsTool } from './cli/certs.js';
import { connectionSchema } from './config/connection.js';
import { pointSchema } from './config/point.js';
import { createOpcuaInstance } from './opcua-instance.js';
import { VERSION } from './version.js';

const opcua = defineDriver({
  name: 'opcua',
  version: VERSION,
  description: 'OPC UA client: subscriptions and polled reads, nsu= node ids, operation limits, security modes and users, self-healing sessions, browse.',
  connection: connectionSchema,
  point: pointSchema,
  browse: opcuaBrowse,
  tools: { certs: certsTool },
  simulator: '@sensegate/sim-opcua',
  create: (context) => createOpcuaInstance(context),
});

export default opcua;

export {
  SECURITY_MODES,
  SECURITY_POLICIES,
  connectionSchema,
  policyOf,
  type OpcuaConnection,
  type OpcuaConnectionInput,
  type SecurityModeName,
  type SecurityPolicyName,
} from './config/connection.js';
export { pointSchema, pointShape, type OpcuaPointFields } from './config/point.js';
export { NamespaceMap, parseNodeId, portableNodeId, type ParsedNodeId } from './node-id.js';
export { OpcuaInstance, createOpcuaInstance } from './opcua-instance.js';
export type { SessionStats } from './client/device-session.js';
export { addTrustedCertificate, describeCertificate, listCertificates, pkiFolder, trustCertificate, type CertificateInfo } from './pki.js';
export { VERSION } from './version.js';
