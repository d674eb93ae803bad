/**
 * The `slow` fault: every service response on a secure channel (read, write, browse, publish,
 * create monitored items, sessions...) is held for the current delay before it is encoded and
 * sent. Secure channel messages (open, renew) are not held, so a slow server still keeps its
 * channels alive. Responses keep their order while the delay stays the same.
 */
import type { ServerSecureChannelLayer } from 'node-opcua';

export function delayResponses(channel: ServerSecureChannelLayer, delay: () => number): void {
  const send = channel.send_response.bind(channel);
  channel.send_response = (msgType, response, message, callback) => {
    const ms = msgType === 'MSG' ? delay() : 0;
    if (ms <= 0) return send(msgType, response, message, callback);
    setTimeout(() => send(msgType, response, message, callback), ms);
  };
}
