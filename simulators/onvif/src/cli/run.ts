/**
 * `sensegate sim onvif` (`sensegate-sim-onvif`): simulated cameras with ONVIF services, RTSP
 * streams and snapshots, and faults typed on stdin.
 */
import { SensegateError } from '@sensegate/sdk';
import { parseSimulatorOptions, serveCommands, type CommandStreams } from '@sensegate/sdk/simulate';
import type { OnvifSimulator, OnvifSimulatorOptions } from '../simulator.js';

export const usage = `Usage: sensegate sim onvif [options]      (or: sensegate-sim-onvif [options])

Simulated ONVIF Profile S cameras: device, media and PTZ services with WS-UsernameToken and HTTP Digest
logins, a WS-Discovery responder (multicast, and unicast probes to --discovery-port), a real H.264
RTSP stream per camera (an ffmpeg test pattern with a running counter) and a JPEG snapshot URL.

  --cameras N              how many cameras (default 1): cam1, cam2, ...
  --size WxH               picture size (default 1280x720)
  --fps N                  frames per second (default 15)
  --host H                 address to bind and put in URLs (default 127.0.0.1)
  --port N                 first ONVIF HTTP port, one per camera (default 8000; 0 picks free ones)
  --rtsp-port N            RTSP port (default 8554; 0 picks a free one)
  --http-port N            snapshot HTTP port (default 8080; 0 picks a free one)
  --discovery-port N       UDP port answering unicast WS-Discovery probes (default 3702)
  --no-multicast           do not join the WS-Discovery multicast group
  --user NAME:PASSWORD     the cameras' login (default admin:admin)
  --ffmpeg PATH            the ffmpeg to encode with (default: FFMPEG_PATH, ffmpeg-static, PATH)

Commands on stdin while it runs (one per line, one line of answer):
  drop CAM MS              CAM's stream stops for MS milliseconds, then comes back by itself
  authfail CAM on|off      CAM refuses every login
  clock CAM MS             CAM's clock runs MS milliseconds off
  ptz CAM                  where CAM points: pan and tilt (-1..1), zoom (0..1), moving or idle
  motion CAM [on|off]      CAM sees motion (for a second, or until off)
  expire CAM               every events subscription of CAM expires now
  status | help | quit`;

/** Where the CLI reads commands and writes answers, and whether it closes on SIGINT/SIGTERM. */
export type CliStreams = CommandStreams;

function usageError(message: string): never {
  throw new SensegateError('SG_USAGE', `sensegate sim onvif: ${message}`);
}

function port(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) usageError(`--${name} needs a port from 0 to 65535, got "${text}"`);
  return n;
}

export function parseOnvifArgs(argv: string[]): { help: boolean; options: OnvifSimulatorOptions } {
  const { values } = parseSimulatorOptions(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      cameras: { type: 'string' },
      size: { type: 'string' },
      fps: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'rtsp-port': { type: 'string' },
      'http-port': { type: 'string' },
      'discovery-port': { type: 'string' },
      'no-multicast': { type: 'boolean' },
      user: { type: 'string' },
      ffmpeg: { type: 'string' },
    },
    usage, { prefix: 'sensegate sim onvif: ' },
  );
  const count = values.cameras === undefined ? 1 : Number(values.cameras);
  if (!Number.isInteger(count) || count < 1 || count > 64) usageError(`--cameras needs a whole number from 1 to 64, got "${values.cameras}"`);
  const size = /^(\d{2,4})x(\d{2,4})$/.exec(values.size ?? '1280x720');
  if (!size || Number(size[1]) % 2 || Number(size[2]) % 2) usageError(`--size needs an even WIDTHxHEIGHT such as 1280x720, got "${values.size}"`);
  const fps = values.fps === undefined ? 15 : Number(values.fps);
  if (!Number.isInteger(fps) || fps < 1 || fps > 60) usageError(`--fps needs a whole number from 1 to 60, got "${values.fps}"`);
  let credentials: { user: string; password: string } | undefined;
  if (values.user !== undefined) {
    const colon = values.user.indexOf(':');
    if (colon <= 0) usageError(`--user needs NAME:PASSWORD, got "${values.user}"`);
    credentials = { user: values.user.slice(0, colon), password: values.user.slice(colon + 1) };
  }
  return {
    help: values.help === true,
    options: {
      cameras: Array.from({ length: count }, () => ({ width: Number(size[1]), height: Number(size[2]), fps })),
      host: values.host ?? '127.0.0.1',
      port: port('port', values.port, 8000),
      rtspPort: port('rtsp-port', values['rtsp-port'], 8554),
      httpPort: port('http-port', values['http-port'], 8080),
      discovery: { multicast: values['no-multicast'] !== true, unicastPort: port('discovery-port', values['discovery-port'], 3702) },
      ...(credentials ? { credentials } : {}),
      ...(values.ffmpeg !== undefined ? { ffmpeg: values.ffmpeg } : {}),
    },
  };
}

/** Applies one command and returns the line to print. Throws SG_USAGE for one it cannot apply. */
export async function applyCommand(sim: OnvifSimulator, line: string): Promise<string> {
  const refuse = (message: string): never => {
    throw new SensegateError('SG_USAGE', message);
  };
  const [verb = '', ...args] = line.split(/\s+/);
  const camera = () => {
    const id = args[0];
    if (!id || !sim.cameras.some((c) => c.id === id)) refuse(`${verb} needs a camera: ${sim.cameras.map((c) => c.id).join(', ')}`);
    return id;
  };
  const ms = (text: string | undefined, what: string) => {
    const n = Number(text);
    if (text === undefined || !/^-?\d+$/.test(text)) refuse(`${what} needs milliseconds, got "${text ?? ''}"`);
    return n;
  };
  switch (verb.toLowerCase()) {
    case 'drop': {
      const id = camera();
      const duration = ms(args[1], 'drop');
      if (duration < 1) refuse('drop needs a positive duration');
      void sim.streams.dropStream(id, duration);
      return `${id}: stream down for ${duration} ms`;
    }
    case 'authfail': {
      const id = camera();
      if (args[1] !== 'on' && args[1] !== 'off') refuse('authfail needs on or off');
      sim.services.failAuth(id, args[1] === 'on');
      return `${id}: logins ${args[1] === 'on' ? 'refused' : 'accepted again'}`;
    }
    case 'clock': {
      const id = camera();
      const offset = ms(args[1], 'clock');
      sim.services.setClockOffset(id, offset);
      return `${id}: clock ${offset >= 0 ? '+' : ''}${offset} ms`;
    }
    case 'ptz': {
      const id = camera();
      const p = sim.ptz(id);
      const f = (v: number) => (v + 0).toFixed(3);
      return `${id}: pan ${f(p.pan)} tilt ${f(p.tilt)} zoom ${f(p.zoom)}, ${p.moving ? 'moving' : 'idle'}`;
    }
    case 'motion': {
      const id = camera();
      if (args[1] !== undefined && args[1] !== 'on' && args[1] !== 'off') refuse('motion takes on, off or nothing (a one-second motion)');
      sim.motion(id, args[1] === undefined ? undefined : args[1] === 'on');
      return `${id}: motion ${args[1] === undefined ? 'for a second' : args[1]}`;
    }
    case 'expire': {
      const id = camera();
      return `${id}: ${sim.expireSubscriptions(id)} events subscriptions expired`;
    }
    case 'status':
      return sim.cameras
        .map((c) => {
          const s = sim.streams.stats(c.id);
          const o = sim.services.stats(c.id);
          return `${c.id}: ${s.publishing ? 'streaming' : 'DOWN'}, ${s.viewers} viewers, ${s.restarts} restarts; ${o.requests} ONVIF requests, ${o.authFailures} refused`;
        })
        .join('; ');
    case 'help':
      return 'commands: drop CAM MS | authfail CAM on|off | clock CAM MS | ptz CAM | motion CAM [on|off] | expire CAM | status | quit';
    default:
      return refuse(`unknown command "${verb}"; commands: drop CAM MS | authfail CAM on|off | clock CAM MS | ptz CAM | motion CAM [on|off] | expire CAM | status | quit`);
  }
}

export async function runSimulatorCli(argv: string[], io: CliStreams = { input: process.stdin, output: process.stdout, signals: true }): Promise<void> {
  const args = parseOnvifArgs(argv);
  if (args.help) {
    io.output.write(usage + '\n');
    return;
  }
  const { startOnvifSimulator } = await import('../simulator.js');
  const sim = await startOnvifSimulator(args.options);
  const { user } = sim.credentials;
  await serveCommands(io, {
    banner: [
      `onvif cameras running: ${sim.cameras.length} (${sim.cameras[0]!.width}x${sim.cameras[0]!.height} at ${sim.cameras[0]!.fps} fps), login ${user}; ` +
        `WS-Discovery unicast on udp ${sim.discoveryPort}${sim.services.multicast ? ' and multicast' : ''}; commands on stdin (help)`,
      ...sim.cameras.map((c) => `${c.id}: device ${c.deviceServiceUrl}  stream ${c.rtspUrl}  snapshot ${c.snapshotUrl}`),
    ],
    apply: (line) => applyCommand(sim, line),
    close: () => sim.close(),
  });
}
