/**
 * The control loop every simulator CLI runs: a banner once SIGINT/SIGTERM handlers are in place
 * (whoever waits for it may stop the simulator at once), then one command per input line, applied
 * one after another (a `restart` finishes before the next command), one line of answer each.
 */
import { createInterface } from 'node:readline';

export interface CommandStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Close on SIGINT/SIGTERM (default true). */
  signals?: boolean;
}

export interface CommandLoop {
  /** Printed once the signal handlers are in place. */
  banner: readonly string[];
  /** Applies one command and returns its answer; a thrown error prints as `error: <message>`. */
  apply(line: string): string | Promise<string>;
  /** Closes the simulator; `serveCommands` resolves once it has. */
  close(): Promise<void>;
}

/**
 * Serves commands until `quit` (or `exit`), a signal, or forever when the input ends (a daemon
 * whose stdin was closed keeps running on signals). Blank lines and `#` comments are ignored.
 */
export function serveCommands(io: CommandStreams, loop: CommandLoop): Promise<void> {
  const print = (line: string) => io.output.write(line + '\n');
  return new Promise<void>((resolve) => {
    let closing = false;
    const lines = createInterface({ input: io.input, terminal: false });
    const close = () => {
      if (closing) return;
      closing = true;
      process.off('SIGINT', close);
      process.off('SIGTERM', close);
      lines.close();
      if (io.input === process.stdin) process.stdin.pause();
      void loop.close().then(resolve, resolve);
    };
    if (io.signals !== false) {
      process.once('SIGINT', close);
      process.once('SIGTERM', close);
    }
    for (const line of loop.banner) print(line);
    let queue = Promise.resolve();
    lines.on('line', (line) => {
      const text = line.trim();
      if (text === '' || text.startsWith('#')) return;
      queue = queue.then(async () => {
        if (closing) return;
        if (/^(quit|exit)$/i.test(text)) {
          print('closing');
          return close();
        }
        try {
          print(await loop.apply(text));
        } catch (err) {
          print(`error: ${(err as Error).message}`);
        }
      });
    });
  });
}
