/**
 * The session description: read from a publisher's ANNOUNCE, served to players on DESCRIBE. The
 * media sections pass through as the encoder wrote them (rtpmap, fmtp with sprop-parameter-sets,
 * bandwidth); the server rewrites the session lines and gives every track a control attribute
 * of its own (`trackID=N`) so players' SETUP URLs resolve against `Content-Base`.
 */

export interface SdpTrack {
  /** Index in the order of the media sections. */
  index: number;
  /** `video`, `audio`, ... */
  media: string;
  /** The control the publisher used in its SDP (its SETUP URL ends with it). */
  publisherControl: string | undefined;
  /** The control players get: `trackID=N`. */
  control: string;
  /** Encoding name from a=rtpmap, upper case (`H264`). */
  encoding: string | undefined;
  /** The media section's lines, without its a=control. */
  lines: string[];
}

export interface SessionDescription {
  tracks: SdpTrack[];
}

/** Reads an SDP; throws with a reason when it has no media section. */
export function parseSdp(text: string): SessionDescription {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines[0] !== 'v=0') throw new Error('the SDP does not start with v=0');
  const tracks: SdpTrack[] = [];
  let current: SdpTrack | undefined;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      current = { index: tracks.length, media: line.slice(2).split(' ')[0] ?? '', publisherControl: undefined, control: `trackID=${tracks.length}`, encoding: undefined, lines: [line] };
      tracks.push(current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('a=control:')) {
      current.publisherControl = line.slice('a=control:'.length).trim();
      continue;
    }
    const rtpmap = /^a=rtpmap:\d+ ([^/]+)\//.exec(line);
    if (rtpmap) current.encoding = rtpmap[1]!.toUpperCase();
    current.lines.push(line);
  }
  if (tracks.length === 0) throw new Error('the SDP has no media section (m=)');
  return { tracks };
}

/** The SDP players get on DESCRIBE. */
export function playerSdp(description: SessionDescription, options: { name: string; host: string; version: number }): string {
  const ip6 = options.host.includes(':');
  const lines = [
    'v=0',
    `o=- ${options.version} ${options.version} IN ${ip6 ? 'IP6' : 'IP4'} ${options.host.replace(/^\[|\]$/g, '')}`,
    `s=${options.name}`,
    `c=IN ${ip6 ? 'IP6 ::' : 'IP4 0.0.0.0'}`,
    't=0 0',
    'a=control:*',
    'a=range:npt=0-',
  ];
  for (const track of description.tracks) {
    lines.push(...track.lines.filter((l) => !l.startsWith('c=')), `a=control:${track.control}`);
  }
  return lines.join('\r\n') + '\r\n';
}
