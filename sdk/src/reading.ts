import type { Quality } from './quality.js';

/**
 * A point value as it travels through the gateway. Numbers and booleans are the common case;
 * strings come from string registers and text fields; `null` means "no value" (always with bad
 * quality). 64-bit integers outside the safe integer range are carried as decimal strings so that
 * no digit is lost on the way to JSON. Arrays (an OPC UA array variable, say) travel as JSON
 * arrays; steps that compute with numbers treat them as unusable.
 */
export type Value = number | boolean | string | null | readonly Value[];

/** One measured value of one point of one device: the unit of the normalized feed. */
export interface Reading {
  /** Device id, unique in the gateway's configuration. */
  device: string;
  /** Point id, unique within its device. */
  point: string;
  /** When the value was measured, in ms since the epoch (UTC): the source timestamp when the device gives one, else the poll time. */
  ts: number;
  value: Value;
  quality: Quality;
  /** Engineering unit after scaling (UCUM-style text such as `mg/L`, `m3/h`, `degC`). */
  unit?: string;
  /** The protocol's own status behind the quality, e.g. `modbus:exception:2` or `SG_REQUEST_TIMEOUT`. */
  status?: string;
  /** When the gateway received the value, in ms since the epoch; present only when it differs from `ts` (source timestamps). */
  received?: number;
  /** For a value computed over a window: how many samples went into it. */
  count?: number;
  /** For a value computed over a window: when the window began, ms since the epoch (`ts` is its end). */
  start?: number;
}

export type EventSeverity = 'info' | 'warning' | 'critical';

/**
 * Something that happened, as opposed to a measured value: a device going offline, an alarm,
 * a camera's motion event. Events travel through the journal beside readings.
 */
export interface DeviceEvent {
  /** Dotted type, e.g. `device.state`, `alarm.raise`, `camera.motion`. */
  type: string;
  /** ms since the epoch (UTC). */
  ts: number;
  device?: string;
  point?: string;
  severity: EventSeverity;
  message: string;
  /** Machine-readable details; must be JSON-serializable. */
  data?: Record<string, unknown>;
}
