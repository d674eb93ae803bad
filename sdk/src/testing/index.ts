/**
 * The conformance kit: what a driver author needs to test a driver without a gateway, and the checks
 * every driver must pass before a gateway loads it.
 *
 *   const ctx = createTestContext();
 *   const instance = driver.create(ctx);
 *   const device = testDevice(driver, { id: 'd1', connection: {...}, points: [...] });
 *   await instance.addDevice(device);
 *   const result = await pollOnce(instance, device);   // every point: value or error
 *   await checkDriver(driver, { device, instance });   // the contract's obligations
 *   await waitFor('the device to come online', () => ctx.healthChanges.at(-1)?.state === 'online');
 *
 * and for a pipeline step:
 *
 *   const outputs = checkStep(step, { alpha: 0.5 }, series);   // outputs, and the step's obligations
 */
export { checkDefinition, checkDriver, type ConformanceOptions } from './conformance.js';
export { checkAddOpensNothing } from './kit/sockets.js';
export { sendCommand, type CommandSample, type WriteSample } from './kit/commands.js';
export { activeResources, leftBehind, type ResourceCounts } from './kit/resources.js';
export { createTestContext, type TestContext, type RecordedLog, type RecordedMetric } from './context.js';
export { pollOnce, testDevice, type PollResult, type PointResult, type TestDeviceInput } from './poll.js';
export { delay, waitFor, type WaitOptions } from './wait.js';
export { freePort } from './free-port.js';
export { shortConnections, type ShortConnectionsOptions, type ShortConnectionsResult } from './peers.js';
export { probeVideo, runProgram, type ProgramRun, type VideoProbe } from './media.js';
export { CliProcess, type CliProcessOptions } from './cli-process.js';
export { checkStep, runSteps, stepContext, type RunStepsOptions, type StepInput, type StepOutput } from './step.js';
export {
  FuzzRandom,
  fuzzBudget,
  fuzzFor,
  fuzzSeed,
  garbage,
  mutate,
  watchProcess,
  type FuzzForOptions,
  type ProcessWatch,
  type ProcessWatchResult,
} from './fuzz.js';
