/**
 * Everything that needs node-opcua, loaded on first use: the driver's definition stays light, so
 * `sensegate validate`, `schema` and `plan` never load node-opcua (whose import alone runs an RSA
 * self-test).
 */
export { createCertificates, disposeCertificates, identityOf, openSession, repairOpensslConf, withOwnCertificate, type Identity, type OpenOptions } from './connect.js';
export { DeviceSession, readLimits, type Limits, type OpcuaDevice, type SessionStats } from './device-session.js';
export { browseTree, variablesOf, type BrowseOptions } from '../browse.js';
export { routeLibraryLogs } from '../library-log.js';
export { fromDataValue, fromVariant, qualityOf, statusOf, toVariant, float32, type Converted } from '../values.js';
