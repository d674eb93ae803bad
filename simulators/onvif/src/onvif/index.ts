/**
 * The ONVIF SOAP side of the camera simulator: device, media and PTZ services (Profile S), WS-Security
 * UsernameToken and HTTP Digest authentication, and a WS-Discovery responder, for several cameras
 * in one process. The video (RTSP, snapshots) is served elsewhere; its URLs come in the specs.
 */
export { startOnvifServices, type OnvifServices, type OnvifCameraStats } from './services.js';
export type { OnvifCameraSpec, OnvifServicesOptions } from './options.js';
export { CREATED_WINDOW_MS } from './auth/username-token.js';
export { DIGEST_REALM } from './auth/http-digest.js';
export { DISCOVERY_GROUP, DISCOVERY_PORT } from './discovery/responder.js';
export { SERVICE_PATHS } from './camera.js';
export { TOKENS as MEDIA_TOKENS } from './services/media.js';
export { PtzHead, PtzRefusal, PTZ_LIMITS, MAX_UNITS_PER_SECOND, DEFAULT_PTZ_TIMEOUT_MS, MAX_PRESETS, type PtzPosition, type PtzVector, type PtzStatus, type PtzPreset } from './ptz/head.js';
export { PTZ_TOKENS } from './ptz/xml.js';
