/**
 * `sensegate sensegate-driver-line-meter ping`: asks a meter whether it is there, without a configured device. A tool
 * parses its own arguments and throws SG_USAGE for bad ones; the CLI prints that with a usage hint.
 */
import { parseArgs } from 'node:util';
import { SensegateError, type DriverTool } from '@sensegate/sdk';
import { request } from './protocol.js';

const USAGE = 'Usage: sensegate sensegate-driver-line-meter ping --port N [--host HOST] [--timeout MS]';

export const ping: DriverTool = {
  summary: 'ask a meter whether it answers, and print its model',
  help: `${USAGE}\n\nSends PING to the meter at HOST:N (default host 127.0.0.1) and prints its answer.`,
  async run(argv, io) {
    let values: { host?: string; port?: string; timeout?: string };
    try {
      ({ values } = parseArgs({ args: argv, options: { host: { type: 'string' }, port: { type: 'string' }, timeout: { type: 'string' } }, strict: true }));
    } catch (err) {
      throw new SensegateError('SG_USAGE', `${io.command}: ${(err as Error).message}\n${USAGE}`);
    }
    const host = values.host ?? '127.0.0.1';
    const port = Number(values.port);
    const timeout = Number(values.timeout ?? 3000);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SensegateError('SG_USAGE', `${io.command}: --port needs a TCP port (1-65535)\n${USAGE}`);
    if (!Number.isInteger(timeout) || timeout < 1) throw new SensegateError('SG_USAGE', `${io.command}: --timeout needs a whole number of milliseconds\n${USAGE}`);
    const answer = await request({ host, port }, 'PING', { timeout, signal: io.signal });
    io.stdout.write(`${answer} from ${host}:${port}\n`);
    return answer.startsWith('PONG') ? 0 : 1;
  },
};
