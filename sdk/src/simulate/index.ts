/**
 * @sensegate/sdk/simulate: moving values for device simulators (constant, sine, ramp, random walk,
 * counter, CSV replay), with the zod schema of a `simulate:` entry. Every sensegate simulator uses
 * these, and a vendor's simulator can too.
 */
export { generatorSchema, type Generator, type GeneratorKind, type GeneratorSpec } from './schema.js';
export { compileGenerator, type ValueSource } from './generator.js';
export { seededRandom, seedFor } from './random.js';
export { readCsvColumn } from './csv.js';
export { serveCommands, type CommandLoop, type CommandStreams } from './commands.js';
export { parseSimulatorOptions, usageError, wholeNumberOption, type ParsedSimulatorOptions, type SimulatorOptionSpecs, type StrictConfig } from './options.js';
