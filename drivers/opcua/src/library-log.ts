/**
 * node-opcua writes its own warnings and errors to the console. In the gateway they belong in the
 * structured log, at debug level: the driver reports what matters itself, in words an operator can
 * act on.
 */
import type { Logger } from '@sensegate/sdk';
import { setDebugLogger, setErrorLogger, setWarningLogger } from 'node-opcua';

let routed = false;

export function routeLibraryLogs(log: Logger): void {
  if (routed) return;
  routed = true;
  const library = log.child({ library: 'node-opcua' });
  const text = (args: unknown[]) =>
    args
      .filter((a) => typeof a === 'string' || typeof a === 'number' || a instanceof Error)
      .map((a) => (a instanceof Error ? a.message : String(a)))
      .join(' ')
      .replace(/\u001b\[[0-9;]*m/g, '');
  setWarningLogger((...args: unknown[]) => library.debug(text(args)));
  setErrorLogger((...args: unknown[]) => library.debug(text(args)));
  setDebugLogger(() => {});
}
