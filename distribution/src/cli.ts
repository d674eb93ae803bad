#!/usr/bin/env node
/**
 * The `sensegate` command: the core's command line, with this distribution's built-in plug-ins
 * installed and its own commands added: `demo` (a simulated site) and `tail` (an MQTT feed consumer,
 * beside the MQTT sink whose topics it reads).
 */
import { installBuiltins, main, type Command } from '@sensegate/gateway/cli';
import { BUILTINS } from './builtins.js';

const COMMANDS: Record<string, Command> = {
  demo: { summary: 'run a simulated site with an embedded broker, no setup', load: async () => (await import('./demo.js')).runDemo },
  tail: { summary: 'print the feed a broker receives, one reading per line', load: async () => (await import('./tail.js')).runTail },
};

installBuiltins(BUILTINS);
main(process.argv.slice(2), COMMANDS).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sensegate: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
