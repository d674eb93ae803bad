/**
 * A device's state as a badge: a colour and always the word too, so it reads without colour
 * (colour-blind users, a phone in sunlight). The class `state-<state>` is what tests look for.
 */
export type DeviceState = 'starting' | 'online' | 'degraded' | 'offline' | 'stopped';

export function StateBadge({ state }: { state: DeviceState | string }) {
  return (
    <span class={`badge state-${state}`} data-state={state}>
      {state}
    </span>
  );
}

export function QualityBadge({ quality }: { quality: string | undefined }) {
  if (!quality) return <span class="muted">–</span>;
  return (
    <span class={`badge quality-${quality}`} data-quality={quality}>
      {quality}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span class={`badge severity-${severity}`} data-severity={severity}>
      {severity}
    </span>
  );
}
