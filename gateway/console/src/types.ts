/**
 * The API's answers as the console reads them (the subset it shows). The gateway's zod schemas in
 * src/api/answers.ts are the source of truth; these follow them by hand, since the console is built
 * for the browser apart from the gateway's code.
 */
import type { DeviceState } from './components/state-badge.js';

export interface Reading {
  ts: number;
  value: unknown;
  quality: 'good' | 'uncertain' | 'bad';
  status?: string;
}

export interface PollStats {
  polls: number;
  reads: number;
  failures: number;
  errors: Record<string, number>;
  lastPoll?: { at: number; ms: number };
  lastError?: { code: string; message: string; at: number };
}

export interface DeviceSummary {
  id: string;
  name?: string;
  driver: string;
  tags: Record<string, string>;
  state: DeviceState;
  since: number;
  reason?: string;
  code?: string;
  lastGoodAt?: number;
  points: number;
  stats: PollStats;
}

export interface Point {
  id: string;
  name?: string;
  unit?: string;
  type?: string;
  direction: 'read' | 'write' | 'readwrite';
  writable: boolean;
  derived: boolean;
  pollInterval?: number;
  latest?: Reading;
}

export interface DeviceDetail extends DeviceSummary {
  pollInterval: number;
  info?: Record<string, unknown>;
  commands: Array<{ name: string; description?: string }>;
  pointList: Point[];
}

export interface History {
  device: string;
  point: string;
  unit?: string;
  interval: number;
  ts: number[];
  value: number[];
  quality: string[];
}

export interface Plan {
  device: string;
  driver: string;
  groups: Array<{ interval: number; points: string[]; requests: string[] }>;
}

export interface Ack {
  type: 'ack';
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; retryable: boolean };
  took: number;
}

export interface Status {
  gateway: string;
  name?: string;
  version: string;
  session: number;
  startedAt: number;
  process: { pid: number; node: string; uptime: number; cpu: number; rss: number; eventLoopLag: { mean: number; p99: number; max: number } };
  devices: Partial<Record<DeviceState, number>>;
  alarms: number;
  sinks: Array<{ name: string; connected: boolean; backlog: number }>;
  journal: { entries: number; bytes: number; oldestTs?: number; dropped: number };
  ready: { ready: boolean; reasons: string[] };
  streams: { clients: number; dropped: number };
}

export interface Sink {
  name: string;
  type: string;
  connected: boolean;
  cursor: number;
  inFlight: number;
  backlog: { entries: number; bytes: number; oldestTs?: number; oldestAge?: number };
  rate: number;
  deadLetters: number;
}

export interface Journal {
  file?: string;
  bytes: number;
  entries: number;
  firstSeq: number;
  lastSeq: number;
  oldestTs?: number;
  dropped: number;
  disk: { freeBytes?: number; reserveBytes: number; full: boolean; readOnly: boolean };
}

export type Alarm = { device: string; point: string } & Record<string, unknown>;

export interface ConfigView {
  file: string;
  text: string;
  masked: string[];
}

export interface ConfigCheck {
  ok: boolean;
  summary?: string;
  problems: Array<{ file: string; line?: number; col?: number; path: string; message: string }>;
  error?: { code: string; message: string };
}

export interface Snapshot {
  id: string;
  device: string;
  ts: number;
  cause: string;
  bytes: number;
  width: number;
  height: number;
  url: string;
  event?: { id: number; type: string; message: string };
}

export interface Camera {
  device: string;
  name?: string;
  stream: string;
  deviceState: DeviceState;
  relayed: boolean;
  up: boolean;
  state?: 'up' | 'down' | 'connecting';
  bitrate?: number;
  viewers?: number;
  player?: { flv: string };
  ptz?: { pan?: number; tilt?: number; zoom?: number };
  latestSnapshot?: Snapshot;
}
