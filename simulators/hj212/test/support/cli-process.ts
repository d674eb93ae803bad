/** The simulator's CLI as a child process (run from source through tsx), with its output as lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@sensegate/sdk/testing';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export class CliProcess {
  readonly out: string[] = [];
  err = '';
  exitCode: number | null | undefined;
  private readonly child: ChildProcess;
  private seen = 0;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      this.out.push(...parts);
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
    this.child.once('exit', (code) => (this.exitCode = code));
  }

  /** The next output line (after those already taken) matching `pattern`. */
  async line(pattern: RegExp): Promise<string> {
    return waitFor(`a line matching ${pattern} (output so far: ${this.out.join(' | ')} ${this.err})`, () => {
      for (let i = this.seen; i < this.out.length; i++) {
        if (pattern.test(this.out[i]!)) {
          this.seen = i + 1;
          return this.out[i];
        }
      }
      return undefined;
    });
  }

  /** Writes a line to stdin; read its answer with `line(pattern)`. */
  send(text: string): void {
    this.child.stdin!.write(text + '\n');
  }

  /** Sends a command and returns its one line of answer (with --quiet, when nothing else prints). */
  async command(text: string): Promise<string> {
    const from = this.out.length;
    this.child.stdin!.write(text + '\n');
    await waitFor(`an answer to "${text}"`, () => this.out.length > from);
    this.seen = from + 1;
    return this.out[from]!;
  }

  async exited(): Promise<number | null> {
    await waitFor('the process to exit', () => this.exitCode !== undefined);
    return this.exitCode!;
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited();
  }
}
