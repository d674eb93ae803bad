/** `sensegate validate --config FILE`: every problem of a file at once, or a one-line summary. */
import { checkConfigFile } from '../config/check.js';
import { formatIssue } from '../config/issues.js';
import { parseOptions, required } from './args.js';

export const validateHelp = `Usage: sensegate validate --config FILE

Checks a configuration file without connecting to anything: the schema (unknown fields, types, ranges),
profiles, drivers and their device checks, secrets and certificates. Lists every problem with its
file:line:column and field path and exits 1; exits 0 when the file is good.`;

export async function runValidate(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseOptions('validate', argv, { config: { type: 'string', short: 'c' } });
  if (values.help) {
    out.write(validateHelp + '\n');
    return 0;
  }
  const file = required('validate', 'config', values.config);
  const result = await checkConfigFile(file);
  if (result.ok) {
    out.write(`${file}: ok: ${result.summary}\n`);
    return 0;
  }
  if (result.error) {
    out.write(`${file}: ${result.error.code}: ${result.error.message}\n`);
    return 1;
  }
  for (const issue of result.problems) out.write(formatIssue(issue) + '\n');
  out.write(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`);
  return 1;
}
