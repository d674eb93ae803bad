/**
 * The `Transport` header of SETUP. The server speaks RTP interleaved in the RTSP connection only
 * (`RTP/AVP/TCP;unicast;interleaved=a-b`): a client offering UDP alone gets 461 and retries with
 * TCP (ffmpeg, VLC and GStreamer all do).
 */

export interface TransportSpec {
  /** `RTP/AVP`, `RTP/AVP/UDP` or `RTP/AVP/TCP` as sent (upper case). */
  protocol: string;
  params: Map<string, string | true>;
}

export interface Interleaved {
  rtp: number;
  rtcp: number;
  /** `mode=record` (a publisher) rather than play. */
  record: boolean;
}

export function parseTransport(value: string): TransportSpec[] {
  return value
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '')
    .map((spec) => {
      const [protocol = '', ...rest] = spec.split(';').map((p) => p.trim());
      const params = new Map<string, string | true>();
      for (const part of rest) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        if (eq === -1) params.set(part.toLowerCase(), true);
        else params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().replace(/^"|"$/g, ''));
      }
      return { protocol: protocol.toUpperCase(), params };
    });
}

/**
 * The first TCP-interleaved offer of a Transport header, with its channels (or `fallback` channels
 * when the client left them to the server); undefined when every offer is UDP or multicast.
 */
export function chooseInterleaved(value: string, fallback: { rtp: number; rtcp: number }): Interleaved | undefined {
  for (const spec of parseTransport(value)) {
    if (spec.protocol !== 'RTP/AVP/TCP') continue;
    if (spec.params.has('multicast')) continue;
    const mode = spec.params.get('mode');
    const record = typeof mode === 'string' && mode.replace(/"/g, '').toLowerCase() === 'record';
    const channels = spec.params.get('interleaved');
    if (typeof channels !== 'string') return { ...fallback, record };
    const match = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(channels);
    if (!match) continue;
    const rtp = Number(match[1]);
    const rtcp = match[2] === undefined ? rtp + 1 : Number(match[2]);
    if (rtp > 255 || rtcp > 255) continue;
    return { rtp, rtcp, record };
  }
  return undefined;
}

export function formatInterleaved(channels: Interleaved): string {
  return `RTP/AVP/TCP;unicast;interleaved=${channels.rtp}-${channels.rtcp}${channels.record ? ';mode=record' : ''}`;
}
