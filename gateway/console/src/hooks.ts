/**
 * Hooks the pages share: an API answer kept fresh by polling, a clock that ticks for "3 s ago",
 * and the signed-in user. Each cleans up after itself when its page goes away.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, currentUser, onUserChange, type Me } from './api.js';

export interface Polled<T> {
  data: T | undefined;
  error: ApiFailure | undefined;
  reload(): void;
}

/** `GET path` now and every `every` ms; keeps the last good answer while a later one fails. */
export function usePolled<T>(path: string | undefined, every = 5_000): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiFailure | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const answer = await api<T>(path);
        if (stopped) return;
        setData(answer);
        setError(undefined);
      } catch (err) {
        if (stopped) return;
        setError(err instanceof ApiFailure ? err : new ApiFailure(0, 'CONSOLE', (err as Error).message));
      }
      if (!stopped && every > 0) timer = setTimeout(load, every);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [path, every, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

/** The current time, updated every `every` ms, for relative times that stay true. */
export function useNow(every = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, [every]);
  return now;
}

export function useUser(): Me | undefined {
  const [me, setMe] = useState(currentUser());
  useEffect(() => onUserChange(setMe), []);
  return me;
}

/** The latest value of `value` for callbacks created once (stream handlers). */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
