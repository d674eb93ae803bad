/**
 * A serial line without hardware: two pseudo-terminals joined by socat, so bytes written to one end
 * come out of the other. Serve the simulator on one end (`serialPath: pair.a`) and point the driver
 * or any Modbus RTU client at the other (`pair.b`) to test RTU over a real serial device file, with
 * the operating system's tty layer in between, on a laptop or in CI.
 *
 * Needs `socat` on the PATH (Linux and macOS; `apt-get install socat`, `brew install socat`).
 */
import { spawn, spawnSync } from 'node:child_process';

export interface VirtualSerialPair {
  /** Device path of one end, such as `/dev/pts/3`. */
  a: string;
  /** Device path of the other end. */
  b: string;
  /** Stops socat, which removes both devices. Safe to call twice. */
  close(): Promise<void>;
}

export interface VirtualSerialOptions {
  /** How long socat may take to open both ends, in milliseconds (default 10,000). */
  timeout?: number;
}

const SOCAT_MISSING =
  'virtualSerialPair needs socat, which was not found on the PATH: install it (apt-get install socat, brew install socat)';

let socatFound: boolean | undefined;

/**
 * Whether socat can be run here: check it to skip serial tests on a machine without it, rather than
 * fail them. Asked once, then remembered.
 */
export function hasSocat(): boolean {
  socatFound ??= spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
  return socatFound;
}

/**
 * Opens a connected pair of pseudo-terminals in raw mode (no echo, no line editing: bytes pass
 * unchanged, as on an RS-485 line). Rejects with a message naming socat when it is not installed.
 * Close the pair when done; an open pair keeps a socat process running.
 */
export function virtualSerialPair({ timeout = 10_000 }: VirtualSerialOptions = {}): Promise<VirtualSerialPair> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let text = '';
    const paths: string[] = [];
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.stderr.removeAllListeners('data');
      void close();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`socat did not open two pseudo-terminals within ${timeout} ms: ${text.trim()}`)), timeout);
    child.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT' ? new Error(SOCAT_MISSING) : err));
    child.once('exit', (code, signal) => {
      if (paths.length < 2) fail(new Error(`socat exited (${signal ?? `code ${code}`}) before opening two pseudo-terminals: ${text.trim()}`));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      // socat -d -d logs "N PTY is /dev/pts/3" for each end it opens.
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (!paths.includes(m[1]!)) paths.push(m[1]!);
      if (paths.length < 2) return;
      clearTimeout(timer);
      child.stderr.removeAllListeners('data');
      // Keep draining socat's log so it never blocks on a full pipe.
      child.stderr.resume();
      resolve({ a: paths[0]!, b: paths[1]!, close });
    });
  });
}
