/** Camera snapshots: take a JPEG from a snapshot URL or an RTSP stream, and keep it on disk within bounds. */
export { fetchSnapshot, DEFAULT_SNAPSHOT_TIMEOUT, DEFAULT_MAX_SNAPSHOT_BYTES, type FetchSnapshotOptions } from './fetch-snapshot.js';
export { grabFrame, grabArgs, DEFAULT_GRAB_TIMEOUT, type GrabFrameOptions, type ProbeMode } from './grab-frame.js';
// HTTP authentication lives in the SDK, shared with the drivers that speak HTTP to devices.
export { answerChallenge, authorization, parseChallenges, pickChallenge, type AuthScheme, type Challenge, type Credentials } from '@sensegate/sdk';
export { isJpeg, jpegSize, type JpegSize } from './jpeg.js';
export { SnapshotStore, stampOf, type SnapshotRef, type SnapshotStoreOptions, type SnapshotStoreStats } from './store.js';
export { Snapshotter, DEFAULT_TAKE_TIMEOUT, type SnapshotSourceKind, type SnapshotterOptions, type SnapshotterStats } from './snapshotter.js';
export { SnapshotSchedule, type SnapshotScheduleOptions } from './schedule.js';
