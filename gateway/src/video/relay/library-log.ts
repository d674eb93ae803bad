/**
 * node-media-server logs with console.log from one shared logger and prints every RTSP URL it
 * pulls, credentials included. While a relay runs, its lines go to our Logger at debug level
 * with every URL passed through `redactText`; the relay logs its own state changes at info/warn.
 */
import { redactText, type Logger } from '@sensegate/sdk';
import type { NmsLibrary } from './library.js';

/**
 * Routes the library's logger into `log`; returns the function that silences it again (late
 * lines from sockets closing after a stop must not reach stdout either).
 */
export function routeLibraryLog(nms: NmsLibrary, log: Logger): () => void {
  const logger = nms.logger;
  Object.defineProperty(logger, 'log', {
    configurable: true,
    writable: true,
    value: (message: unknown, level = 'info') => {
      if (level === 'trace') return;
      log.debug({ nmsLevel: level }, redactText(String(message)));
    },
  });
  return () => {
    Object.defineProperty(logger, 'log', { configurable: true, writable: true, value: () => {} });
  };
}
