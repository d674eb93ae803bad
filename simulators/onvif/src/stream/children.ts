/**
 * Every ffmpeg this process started, so none outlives it: they are killed when the process exits
 * (a test that fails halfway included). A process killed by a signal skips 'exit' handlers; its
 * encoders then die on their own, because the RTSP connection and the stdout pipe they write to
 * close with it.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

export function adopt(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    process.on('exit', killAll);
  }
}

/** Whether the child has exited (or never started). */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM (ffmpeg then closes its output cleanly), SIGKILL after `graceMs`; resolves once it exited. */
export async function terminate(child: ChildProcess, graceMs = 2000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}
