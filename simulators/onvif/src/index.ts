/**
 * @sensegate/sim-onvif: simulated IP cameras. Each has ONVIF device, media and PTZ services with
 * WS-UsernameToken and HTTP Digest logins, answers WS-Discovery (multicast and unicast probes), and
 * serves a real H.264 RTSP stream (an ffmpeg test pattern relayed by an RTSP server of our own) and
 * JPEG snapshots, with faults: stream drops, refused logins, a clock that is off. Events come
 * next.
 */
export { startOnvifSimulator, type OnvifSimulator, type OnvifSimulatorOptions, type SimulatedCamera, type SimulatedCameraSpec } from './simulator.js';
export { runSimulatorCli, parseOnvifArgs, applyCommand, type CliStreams } from './cli/run.js';
export * from './onvif/index.js';
export { startCameraStreams, streamPath, type CameraStreams } from './camera-streams.js';
export { resolveStreamSpec, defaultBitrate, DEFAULT_RTSP_PORT, type CameraStreamsOptions, type StreamSpec, type ResolvedStreamSpec } from './options.js';
export type { CameraStats } from './stream/camera.js';
export { SNAPSHOT_RATE } from './stream/ffmpeg-args.js';
export { RtspServer, type RtspServerOptions } from './rtsp/server.js';
export type { RtspStream } from './rtsp/stream.js';
export { jpegSize } from './snapshot/jpeg.js';
