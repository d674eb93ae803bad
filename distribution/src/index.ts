/**
 * The `sensegate` distribution for programmatic use: its built-in plug-ins' table, to install in the
 * core before loading a configuration that names drivers and sinks by short name:
 *
 *   import { installBuiltins, loadConfigFile, Gateway } from '@sensegate/gateway';
 *   import { BUILTINS } from 'sensegate';
 *   installBuiltins(BUILTINS);
 */
export { BUILTIN_DRIVERS, BUILTIN_SINKS, BUILTINS, DISTRIBUTION_FOLDER } from './builtins.js';
