/**
 * The camera runtime (sessions and the SOAP client), loaded when the first device is added:
 * `sensegate validate`, `schema` and `discover` never load it.
 */
export { CameraSession, type SessionStats } from './session.js';
export { OnvifClient, type CameraIdentity, type MediaProfile, type OnvifClientOptions, type PtzStatus } from './onvif-client.js';
