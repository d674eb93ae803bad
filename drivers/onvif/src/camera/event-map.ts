/**
 * A camera notification as a gateway event: motion topics become `camera.motion`, tamper topics
 * `camera.tamper`, every other topic `camera.event`. `Initialized` messages (the state the camera
 * reports when a subscription starts, again after every re-subscription) update the state points but
 * become events only when the state differs from the last one known, so a renewal is not an alarm.
 */
import type { DeviceEvent, EventSeverity } from '@sensegate/sdk';
import type { Notification } from './notification.js';

export type EventKind = 'motion' | 'tamper' | 'other';

const MOTION = /CellMotionDetector|MotionAlarm|MotionDetect|\/Motion$/i;
const TAMPER = /Tamper|GlobalSceneChange/i;
const STATE_ITEMS = ['IsMotion', 'State', 'IsTamper', 'LogicalState', 'Value', 'Active'];

export function kindOf(topic: string): EventKind {
  if (TAMPER.test(topic)) return 'tamper';
  if (MOTION.test(topic)) return 'motion';
  return 'other';
}

/** The notification's boolean state, when it carries one. */
export function stateOf(n: Notification): boolean | undefined {
  const name = STATE_ITEMS.find((k) => n.data[k] !== undefined) ?? Object.keys(n.data)[0];
  const value = name === undefined ? undefined : n.data[name]!.trim().toLowerCase();
  if (value === 'true' || value === '1' || value === 'active') return true;
  if (value === 'false' || value === '0' || value === 'inactive') return false;
  return undefined;
}

/** The topic without its namespace prefix: `RuleEngine/CellMotionDetector/Motion`. */
export function topicPath(topic: string): string {
  return topic.replace(/^[\w.-]+:/, '');
}

export interface MappedEvent {
  kind: EventKind;
  state: boolean | undefined;
  /** Identifies the state a notification reports (topic and source), for the Initialized rule. */
  key: string;
  event: DeviceEvent;
}

export function mapNotification(device: string, n: Notification, now = Date.now()): MappedEvent {
  const kind = kindOf(n.topic);
  const state = stateOf(n);
  const path = topicPath(n.topic);
  const type = kind === 'motion' ? 'camera.motion' : kind === 'tamper' ? 'camera.tamper' : 'camera.event';
  let severity: EventSeverity = 'info';
  if (state === true && kind === 'tamper') severity = 'critical';
  else if (state === true && kind === 'motion') severity = 'warning';
  const what = kind === 'motion' ? 'motion' : kind === 'tamper' ? 'tamper' : path;
  const said = state === undefined ? `event ${path}` : kind === 'other' ? `${what} ${state ? 'active' : 'inactive'}` : `${what} ${state ? (kind === 'motion' ? 'started' : 'detected') : kind === 'motion' ? 'ended' : 'cleared'}`;
  const initial = n.operation === 'Initialized' ? ' (state when subscribing)' : '';
  const sourceKey = Object.entries(n.source)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    kind,
    state,
    key: `${n.topic}|${sourceKey}`,
    event: {
      type,
      ts: n.utcTime ?? now,
      device,
      severity,
      message: `camera ${device}: ${said}${initial}`,
      data: {
        topic: n.topic,
        ...(state !== undefined ? { state } : {}),
        ...(n.operation !== undefined ? { operation: n.operation } : {}),
        source: n.source,
        items: n.data,
      },
    },
  };
}
