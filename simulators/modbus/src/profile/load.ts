/**
 * Reading a profile YAML file: parse, validate against the schema, check across fields, and check
 * that CSV files named by `csv` generators exist and have the column. Every problem is reported at
 * once, each as `file:line:col: path: message`.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { SensegateError, describeZodError, formatLocation, formatPath, parseYamlSource, pointAccess } from '@sensegate/sdk';
import { checkPoints, checkSimulate, type ProfileIssue } from './checks.js';
import { readCsvColumn } from '@sensegate/sdk/simulate';
import { profileSchema, type ModbusProfile } from './schema.js';

export function loadProfile(path: string): ModbusProfile {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SensegateError('SG_CONFIG_NOT_FOUND', `cannot read profile ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      source: path,
    });
  }
  const yaml = parseYamlSource(path, text);
  if (yaml.syntaxErrors.length > 0) {
    const first = yaml.syntaxErrors[0]!;
    throw new SensegateError(
      'SG_CONFIG_YAML',
      `profile ${path} is not valid YAML:\n${yaml.syntaxErrors.map((e) => `  ${formatLocation(path, e)}: ${e.message}`).join('\n')}`,
      { source: `${path}:${first.line}` },
    );
  }
  const parsed = profileSchema.safeParse(yaml.data ?? {}, { reportInput: true });
  const issues: ProfileIssue[] = parsed.success ? [] : describeZodError(parsed.error);
  if (parsed.success) {
    const profile = parsed.data;
    // `writable` and `direction` settled as the gateway settles them, so a profile's point means the same in both.
    profile.points.forEach((point, i) => {
      const access = pointAccess(point);
      if ('problem' in access) issues.push({ path: ['points', i, access.problem.path], message: access.problem.message });
      else Object.assign(point, access);
    });
    issues.push(...checkPoints(profile.points), ...checkSimulate(profile.points, profile.simulate));
    // CSV files are relative to the profile; resolve them now so the profile can be used from anywhere.
    for (const [id, gen] of Object.entries(profile.simulate)) {
      if (gen.kind !== 'csv') continue;
      gen.file = isAbsolute(gen.file) ? gen.file : resolve(dirname(file), gen.file);
      try {
        readCsvColumn(gen.file, gen.column);
      } catch (err) {
        issues.push({ path: ['simulate', id, 'file'], message: (err as Error).message });
      }
    }
    if (issues.length === 0) {
      return { ...profile, name: profile.name ?? basename(file, extname(file)), file };
    }
  }
  const located = issues.map((issue) => {
    return { where: formatLocation(path, yaml.position(issue.path)), text: `${formatPath(issue.path)}: ${issue.message}` };
  });
  throw new SensegateError(
    'SG_CONFIG_INVALID',
    `${located.length} problem${located.length === 1 ? '' : 's'} in profile ${path}:\n${located.map((l) => `  ${l.where}: ${l.text}`).join('\n')}`,
    { source: located[0]!.where },
  );
}
