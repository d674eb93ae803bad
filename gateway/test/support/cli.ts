/**
 * Runs the built `sensegate` CLI as a user would, in its own process, and collects its output.
 * `npm test` builds first, so dist/ is current.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@sensegate/sdk/testing';

/** The distribution's CLI: the core with the built-in drivers, sinks and simulators, as users install it. */
export const CLI = fileURLToPath(new URL('../../../distribution/dist/cli.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  waitForOutput(pattern: RegExp, timeout?: number): Promise<RegExpMatchArray>;
  /** SIGTERM and wait; SIGKILL after a grace period. */
  stop(): Promise<number | string>;
  kill9(): Promise<number | string>;
}

export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does)`);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput: (pattern, timeout = 20_000) =>
      waitFor(`output matching ${pattern}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`, () => (out + err).match(pattern) ?? undefined, { timeout }),
    stop: () => stopWith('SIGTERM'),
    kill9: () => stopWith('SIGKILL'),
  };
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const p = startCli(args, options);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** A writable stream that keeps what a command prints, for commands run in-process (`runBrowse(argv, out)`). */
export function capture(): Writable & { text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { text(): string };
  stream.text = () => text;
  return stream;
}
