/**
 * The `slow` fault: every service response on a secure channel (read, write, browse, publish,
 * create monitored items, sessions...) is held for the current delay before it is encoded and
 * sent. Secure channel messages (open, renew) are not held, so a slow server still keeps its
 * channels alive. Responses keep their order while the delay stays the same. Ending the fault
 * (a delay of 0) sends what is held at once, so a server back to normal holds no timer.
 */
import type { ServerSecureChannelLayer } from 'node-opcua';

/** The responses held back, across the server's channels. */
export class HeldResponses {
  private readonly held = new Map<NodeJS.Timeout, () => void>();

  hold(ms: number, send: () => void): void {
    const timer = setTimeout(() => {
      this.held.delete(timer);
      send();
    }, ms);
    this.held.set(timer, send);
  }

  /** Sends every held response now, oldest first. */
  release(): void {
    const held = [...this.held];
    this.held.clear();
    for (const [timer, send] of held) {
      clearTimeout(timer);
      try {
        send();
      } catch {
        // The channel closed meanwhile: nothing to send it on.
      }
    }
  }
}

export function delayResponses(channel: ServerSecureChannelLayer, delay: () => number, held: HeldResponses): void {
  const send = channel.send_response.bind(channel);
  channel.send_response = (msgType, response, message, callback) => {
    const ms = msgType === 'MSG' ? delay() : 0;
    if (ms <= 0) return send(msgType, response, message, callback);
    held.hold(ms, () => send(msgType, response, message, callback));
  };
}
