/**
 * The command line's frame, for a distribution to run: it installs its built-in plug-ins, then calls
 * `main(argv, itsOwnCommands)`. The `sensegate` package does exactly that (its bin/sensegate.js).
 */
export { COMMANDS, main, usage, type Command, type Run } from './cli/main.js';
export { installBuiltins, builtins, type Builtins } from './plugins/builtins.js';
export { untilSignal } from './cli/signals.js';
export { parseOptions, positiveInt } from './cli/args.js';
