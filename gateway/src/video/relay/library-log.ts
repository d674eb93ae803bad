/**
 * node-media-server logs with console.log from one shared logger and prints every RTSP URL it
 * pulls, credentials included. While a relay runs, its lines go to our Logger at debug level
 * with every URL passed through `redactUrl`; the relay logs its own state changes at info/warn.
 */
import { redactUrl, type Logger } from '@sensegate/sdk';
import type { NmsLibrary } from './library.js';

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/** Every URL in a line of text, redacted (user-info password, token/sign query values). */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

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
