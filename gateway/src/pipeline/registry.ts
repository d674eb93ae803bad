/**
 * Finds pipeline steps. The built-in steps are named by a short word; any other name is an npm
 * package that default-exports `defineStep(...)`, loaded exactly as a third-party driver is.
 */
import { isStep, SensegateError, type Step } from '@sensegate/sdk';
import { join } from 'node:path';
import { importPackage, PackageNotFound } from '../plugins/import-package.js';
import { alarmStep } from './steps/alarm.js';
import { deadbandStep } from './steps/deadband.js';
import { rangeStep } from './steps/range.js';
import { spikeStep } from './steps/spike.js';
import { throttleStep } from './steps/throttle.js';
import { windowStep } from './steps/window.js';

export const BUILTIN_STEPS: ReadonlyMap<string, Step> = new Map<string, Step>(
  [deadbandStep, throttleStep, rangeStep, spikeStep, windowStep, alarmStep].map((s) => [s.name, s as Step]),
);

export class StepRegistry {
  private readonly loaded = new Map<string, Promise<Step>>();

  /** @param searchFrom folders whose node_modules are searched, in order, before the gateway's own. */
  constructor(private readonly searchFrom: string[] = [process.cwd()]) {}

  load(name: string): Promise<Step> {
    const builtin = BUILTIN_STEPS.get(name);
    if (builtin) return Promise.resolve(builtin);
    let pending = this.loaded.get(name);
    if (!pending) {
      pending = this.import(name);
      this.loaded.set(name, pending);
      pending.catch(() => this.loaded.delete(name));
    }
    return pending;
  }

  private async import(name: string): Promise<Step> {
    let mod: unknown;
    try {
      mod = await importPackage(name, this.searchFrom);
    } catch (err) {
      if (err instanceof PackageNotFound) {
        throw new SensegateError(
          'SG_STEP_NOT_FOUND',
          `"${name}" is not a built-in step (${[...BUILTIN_STEPS.keys()].join(', ')}) and no npm package of that name is installed in ${this.searchFrom.map((f) => join(f, 'node_modules')).join(' or ')}`,
          { cause: err.cause },
        );
      }
      throw new SensegateError('SG_STEP_INVALID', `step package "${name}" failed to load: ${(err as Error).message}`, { cause: err });
    }
    const definition = (mod as { default?: unknown }).default;
    if (!isStep(definition)) {
      throw new SensegateError('SG_STEP_INVALID', `package "${name}" does not default-export a step made with defineStep() from @sensegate/sdk`);
    }
    return definition;
  }
}
