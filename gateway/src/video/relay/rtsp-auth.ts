/**
 * How the relay's RTSP client (the library's) logs in to a camera. Left alone it
 * - puts the URL it was given, password included, in the request line of every request, readable
 *   by anyone on the path whatever the login scheme: here the user-info is taken out of every
 *   request URI (the account stays with the client for the login);
 * - keeps only the last `WWW-Authenticate` header of a 401 and answers whatever that is, so a camera
 *   offering Digest and then Basic (common, and what the simulator does) gets the password in
 *   Basic, and a spoofed camera only has to ask for Basic. Here every challenge of the 401 is kept
 *   and the SDK's one rule applies (`answerChallenge`): Digest when offered; Basic only when the
 *   camera's configuration allows it (`allowBasicOverHttp`); otherwise the attempt fails with a
 *   message saying why, and the password is not sent.
 */
import { answerChallenge, parseChallenges } from '@sensegate/sdk';
import type { NmsRtspClient, NmsRtspSession } from './library.js';

const HEADER_END = Buffer.from('\r\n\r\n');

/** Every WWW-Authenticate value of the header block at the start of `buffer`. */
function challengesIn(buffer: Buffer): string[] {
  const end = buffer.indexOf(HEADER_END);
  if (end === -1) return [];
  const values: string[] = [];
  for (const line of buffer.subarray(0, end).toString('utf8').split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'www-authenticate') values.push(line.slice(colon + 1).trim());
  }
  return values;
}

/** The URI without user-info; left as it is when it is no URL. */
function withoutUserInfo(uri: string): string {
  try {
    const url = new URL(uri);
    if (!url.username && !url.password) return uri;
    url.username = url.password = '';
    return url.toString();
  } catch {
    return uri;
  }
}

function guardClient(client: NmsRtspClient, allowBasic: boolean): void {
  const send = client.sendRequest;
  client.sendRequest = function (this: NmsRtspClient, method, uri, ...rest) {
    return send.call(this, method, withoutUserInfo(uri), ...rest);
  };
  let offered: string[] = [];
  const parseHeaders = client.parseResponseHeaders;
  client.parseResponseHeaders = function (this: NmsRtspClient) {
    offered = challengesIn(this.recvBuffer);
    return parseHeaders.call(this);
  };
  const handle = client.handleAuthChallenge;
  client.handleAuthChallenge = function (this: NmsRtspClient, last, pending) {
    const values = offered.length > 0 ? offered : [last];
    const answer = answerChallenge(parseChallenges(values), { secure: false, basicOverHttp: allowBasic });
    if (!answer.ok) {
      const why =
        answer.reason === 'basic-over-http'
          ? 'the camera asks for RTSP Basic over plain TCP, which would send the password readable by anyone on the network; it was not sent (enable Digest on the camera, or set allowBasicOverHttp on a trusted network)'
          : `the camera offers no login this client answers (${values.join(' | ').slice(0, 200)})`;
      pending.reject(new Error(why));
      return;
    }
    const chosen = values.find((v) => parseChallenges([v])[0]?.scheme === answer.challenge.scheme && parseChallenges([v])[0]?.params.get('nonce') === answer.challenge.params.get('nonce')) ?? last;
    handle.call(this, chosen, pending);
  };
}

/** Applies the rule to the session's client, and to every client it makes on a reconnect. */
export function guardRtspAuth(session: NmsRtspSession, allowBasic: boolean): void {
  let client = session.rtspClient;
  guardClient(client, allowBasic);
  Object.defineProperty(session, 'rtspClient', {
    configurable: true,
    get: () => client,
    set: (next: NmsRtspClient) => {
      guardClient(next, allowBasic);
      client = next;
    },
  });
}
