/**
 * A command-line program as a child process, with its standard output as lines: for testing a
 * simulator's or a driver's CLI the way a user runs it. TypeScript sources run through tsx by
 * default; pass `nodeArgs: []` for a built JavaScript file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait.js';

export interface CliProcessOptions {
  /** Arguments for node before the script (default: run TypeScript sources through tsx). */
  nodeArgs?: string[];
}

export class CliProcess {
  readonly out: string[] = [];
  err = '';
  exitCode: number | null | undefined;
  private readonly child: ChildProcess;
  private seen = 0;

  constructor(script: string, args: string[], options: CliProcessOptions = {}) {
    const nodeArgs = options.nodeArgs ?? ['--import', 'tsx', '--conditions=source'];
    this.child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
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

  /** Sends a command and returns its one line of answer (when nothing else prints meanwhile). */
  async command(text: string): Promise<string> {
    const from = this.out.length;
    this.send(text);
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
