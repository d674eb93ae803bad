/**
 * The `simulate:` section of an SL 651 profile (the driver's profiles carry one): generators of the
 * quantities the station measures. Other sections (the points) are the gateway's business.
 */
import { readFileSync } from 'node:fs';
import { SensegateError, describeZodError, formatLocation, formatPath, parseYamlSource } from '@sensegate/sdk';
import { generatorSchema, type GeneratorSpec } from '@sensegate/sdk/simulate';
import { z } from 'zod';
import { QUANTITIES, type Quantity } from './measurements.js';

const simulateSchema = z
  .object(Object.fromEntries(QUANTITIES.map((q) => [q, generatorSchema.optional()])) as Record<Quantity, z.ZodOptional<typeof generatorSchema>>)
  .strict();

const profileSchema = z.object({ simulate: simulateSchema.optional() }).passthrough();

export function loadSimulation(path: string): Partial<Record<Quantity, GeneratorSpec>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SensegateError('SG_CONFIG_NOT_FOUND', `cannot read profile ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { source: path });
  }
  const yaml = parseYamlSource(path, text);
  if (yaml.syntaxErrors.length > 0) {
    const e = yaml.syntaxErrors[0]!;
    throw new SensegateError('SG_CONFIG_YAML', `profile ${path} is not valid YAML: ${formatLocation(path, e)}: ${e.message}`, { source: `${path}:${e.line}` });
  }
  const parsed = profileSchema.safeParse(yaml.data ?? {});
  if (!parsed.success) {
    const lines = describeZodError(parsed.error).map((i) => `  ${formatLocation(path, yaml.position(i.path))}: ${formatPath(i.path)}: ${i.message}`);
    throw new SensegateError('SG_CONFIG_INVALID', `profile ${path} (simulate: takes ${QUANTITIES.join(', ')}):\n${lines.join('\n')}`, { source: path });
  }
  const out: Partial<Record<Quantity, GeneratorSpec>> = {};
  for (const [q, spec] of Object.entries(parsed.data.simulate ?? {})) if (spec) out[q as Quantity] = spec;
  return out;
}
