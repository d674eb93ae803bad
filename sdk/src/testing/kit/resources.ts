/**
 * Handles and timers a driver leaves behind. `process.getActiveResourcesInfo()` lists what keeps the
 * event loop alive (sockets, servers, timers, file requests) by kind; the kit counts each kind before
 * the driver starts and after it stopped, so the simulator's own sockets and timers cancel out.
 */
import { delay } from '../wait.js';

export type ResourceCounts = Map<string, number>;

export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = new Map();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** What is active now beyond `before`, by kind; empty when nothing is. */
function beyond(before: ResourceCounts): string[] {
  const extra: string[] = [];
  for (const [kind, n] of activeResources()) {
    const more = n - (before.get(kind) ?? 0);
    if (more > 0) extra.push(`${more} ${kind}`);
  }
  return extra;
}

/**
 * Waits up to `within` ms for the resources to fall back to `before` (a socket closes a few turns of
 * the event loop after `destroy()`, the peer's side after its FIN) and returns what is still left.
 */
export async function leftBehind(before: ResourceCounts, within = 2000): Promise<string[]> {
  const deadline = performance.now() + within;
  for (;;) {
    // The kit's own waiting is a timer too: count between waits, never during one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const extra = beyond(before);
    if (extra.length === 0 || performance.now() > deadline) return extra;
    await delay(25);
  }
}
