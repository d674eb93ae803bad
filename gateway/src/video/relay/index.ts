export { VideoRelay, type VideoRelayOptions, type RelayStreamSpec, type RelayUrls, type VideoRelayEvents } from './relay.js';
export type { StreamState, StreamStatus } from './stream.js';
export type { PublishSettings } from './publish-policy.js';
