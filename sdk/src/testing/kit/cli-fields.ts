/**
 * What a definition adds to the command line, checked as the gateway will use it: every option of
 * `discover` and `browse` becomes a flag whose help is the field's `.describe()`, every tool is
 * listed by its summary and explained by its help, and `simulator` is resolved as a package name.
 */
import { z } from 'zod';
import type { Driver } from '../../driver.js';

/**
 * An npm package name, scoped or not, optionally with a subpath the package exports (the driver's
 * own package may carry its simulator: `sensegate-driver-meter/simulator`): what `sensegate sim
 * <driver>` resolves from the driver's folder.
 */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** The fields of an object schema that have no description, each as `<path>.<field>`. */
export function fieldsWithoutDescription(schema: z.ZodType, path: string, out: string[]): void {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { description?: string }>;
  };
  for (const [name, field] of Object.entries(json.properties ?? {})) {
    if (!field.description) out.push(`${path}.${name}`);
  }
}

const text = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

export function checkCliFields(driver: Driver): string[] {
  const problems: string[] = [];
  for (const [hook, value] of [['discover', driver.discover], ['browse', driver.browse]] as const) {
    if (value === undefined) continue;
    if (!text(value.summary)) problems.push(`${hook}: no summary: give one line saying what it probes, shown by \`sensegate ${hook} --help\``);
    const undocumented: string[] = [];
    if (value.options && typeof value.options.shape === 'object') fieldsWithoutDescription(value.options, `${hook}.options`, undocumented);
    if (undocumented.length) problems.push(`${hook} options without .describe(): ${undocumented.join(', ')}: each field is a flag and its description the flag's help`);
  }
  for (const [name, tool] of Object.entries(driver.tools ?? {})) {
    const missing = [
      text(tool?.summary) ? undefined : 'summary (one line, listed by `sensegate <driver>`)',
      text(tool?.help) ? undefined : 'help (the usage text printed for --help)',
      typeof tool?.run === 'function' ? undefined : 'run(argv, io)',
    ].filter((m) => m !== undefined);
    if (missing.length) problems.push(`tool "${name}" has no ${missing.join(', no ')}`);
  }
  if (driver.simulator !== undefined && !(typeof driver.simulator === 'string' && PACKAGE_NAME.test(driver.simulator))) {
    problems.push(
      `simulator ${JSON.stringify(driver.simulator)} is not a package name: name the simulator's npm package (\`@acme/sensegate-sim-meter\`, or a subpath of it such as \`sensegate-driver-meter/simulator\`), ` +
        'which `sensegate sim` resolves from the driver package\'s folder',
    );
  }
  return problems;
}
