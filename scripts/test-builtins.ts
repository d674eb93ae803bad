// Loaded before every test file (scripts/test.mjs): installs the distribution's built-in drivers and
// sinks in the core, as the `sensegate` command does, so in-process tests name them by short name.
import { BUILTINS } from '../distribution/src/builtins.js';
import { installBuiltins } from '../gateway/src/plugins/builtins.js';

installBuiltins(BUILTINS);
