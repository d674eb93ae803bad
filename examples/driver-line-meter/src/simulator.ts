/**
 * A simulated meter that speaks the driver's line protocol (see protocol.ts), as a library for tests
 * and as the CLI `sensegate sim sensegate-driver-line-meter` runs:
 *
 *   sensegate sim sensegate-driver-line-meter --port 4001
 *
 * `flow` follows a sine, `total` counts up, `setpoint` keeps what was written (0 to 100). Typed
 * commands while it runs: `silent on` (accept connections, answer nothing), `silent off`, `quit`.
 */
import { createServer, type Socket } from 'node:net';
import { compileGenerator, parseSimulatorOptions, serveCommands, wholeNumberOption } from '@sensegate/sdk/simulate';

const USAGE = 'Usage: sensegate sim sensegate-driver-line-meter [--port N] [--host ADDRESS] [--model NAME]';
const SETPOINT_RANGE = [0, 100] as const;

export interface MeterSimulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** What the meter answers to PING. */
  model?: string;
}

export interface MeterSimulator {
  readonly host: string;
  readonly port: number;
  /** Silent: connections are accepted, requests never answered (a hung device). */
  setSilent(silent: boolean): void;
  close(): Promise<void>;
}

export async function startMeterSimulator(options: MeterSimulatorOptions = {}): Promise<MeterSimulator> {
  const host = options.host ?? '127.0.0.1';
  const model = options.model ?? 'MTR-100';
  const started = performance.now();
  const flow = compileGenerator({ kind: 'sine', min: 10, max: 30, period: 60_000 }, 1, 1000);
  const total = compileGenerator({ kind: 'counter', start: 1000, step: 1, interval: 1000 }, 1, 1000);
  let setpoint = 50;
  let silent = false;
  const sockets = new Set<Socket>();

  const answer = (line: string): string => {
    const [verb, field, value, ...rest] = line.split(/\s+/);
    switch (verb?.toUpperCase()) {
      case 'PING':
        return `PONG ${model}`;
      case 'READ': {
        const elapsed = performance.now() - started;
        if (field === 'flow') return String(Math.round(Number(flow.at(elapsed)) * 100) / 100);
        if (field === 'total') return String(total.at(elapsed));
        if (field === 'setpoint') return String(setpoint);
        return `ERR unknown field ${field ?? ''}`.trim();
      }
      case 'WRITE': {
        if (field !== 'setpoint') return `ERR field ${field ?? ''} is read-only`;
        const n = Number(value);
        if (value === undefined || rest.length > 0 || !Number.isFinite(n)) return 'ERR bad value';
        if (n < SETPOINT_RANGE[0] || n > SETPOINT_RANGE[1]) return `ERR out of range ${SETPOINT_RANGE[0]}..${SETPOINT_RANGE[1]}`;
        setpoint = n;
        return 'OK';
      }
      default:
        return 'ERR unknown request';
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (chunk: string) => {
      text += chunk;
      let end: number;
      while ((end = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, end).trim();
        text = text.slice(end + 1);
        if (!silent && line) socket.write(`${answer(line)}\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  return {
    host,
    port: typeof address === 'object' && address ? address.port : 0,
    setSilent: (on) => {
      silent = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The CLI `sensegate sim sensegate-driver-line-meter` runs, with the arguments after the package name. */
export async function runSimulatorCli(argv: string[]): Promise<void> {
  const { values } = parseSimulatorOptions(argv, { port: { type: 'string' }, host: { type: 'string' }, model: { type: 'string' } }, USAGE);
  const sim = await startMeterSimulator({ port: wholeNumberOption('port', values.port, 0, 65535) ?? 4001, host: values.host, model: values.model });
  await serveCommands(
    { input: process.stdin, output: process.stdout },
    {
      banner: [`line-meter simulator listening on ${sim.host}:${sim.port}`, 'commands: silent on | silent off | quit'],
      apply(line) {
        const m = /^silent\s+(on|off)$/i.exec(line);
        if (!m) throw new Error(`unknown command "${line}": try silent on, silent off or quit`);
        sim.setSilent(m[1]!.toLowerCase() === 'on');
        return `silent ${m[1]!.toLowerCase()}`;
      },
      close: () => sim.close(),
    },
  );
}
