/**
 * Station listeners: the skeleton every driver whose stations dial in builds on (HJ 212, SL 651,
 * and any later protocol), so that each gets the same protection by construction. The driver
 * writes the protocol side of a connection; see docs/writing-a-driver.md.
 */
export { AllowList, allowEntryProblem, isAllowEntry } from './allow-list.js';
export { AuthBackoff, type AuthBackoffSettings } from './auth-backoff.js';
export { ConnectionSlots, type SlotLimits, type SlotRefusal } from './connection-slots.js';
export { Episodes } from './episodes.js';
export {
  ListenerConnection,
  MAX_BAD_IN_A_ROW,
  MAX_UNSENT_BYTES,
  MAX_WRONG_PASSWORDS,
  type ConnectionHost,
  type ConnectionSession,
  type MalformedSource,
  type PeerIdentity,
  type RefusalOutcome,
  type RefusedFrame,
} from './listener-connection.js';
export { ListenerMetrics, type CloseReason, type ConnectionRefusal, type FrameRefusal } from './listener-metrics.js';
export { LogLimiter, type LimitedLine, type LineKind, type LogLimit, type LogLimiterOptions } from './log-limiter.js';
export { MemoryBudget } from './memory-budget.js';
export { isLoopback, peerKey, plainAddress } from './peer-address.js';
export { printable } from './printable.js';
export { LISTENER_DEFAULTS, combineListenerSettings, stationListenerFields, type ListenerSettings, type StationListenerFields } from './settings.js';
export { StationListener, type ListenedStation, type ListenerCounts, type StationListenerOptions } from './station-listener.js';
