#!/usr/bin/env node
/** The `sensegate-sim-onvif` command. */
import { isSensegateError } from '@sensegate/sdk';
import { runSimulatorCli } from './cli/run.js';

try {
  await runSimulatorCli(process.argv.slice(2));
  process.exit(0);
} catch (err) {
  process.stderr.write(`sensegate-sim-onvif: ${(err as Error).message}\n`);
  process.exit(isSensegateError(err) && err.code === 'SG_USAGE' ? 2 : 1);
}
