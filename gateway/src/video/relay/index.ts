export { VideoRelay, type VideoRelayOptions, type RelayStreamSpec, type RelayUrls, type VideoRelayEvents } from './relay.js';
export type { StreamState, StreamStatus } from './stream.js';
export { redactText } from './library-log.js';
