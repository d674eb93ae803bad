/**
 * Configuration problems, collected rather than thrown one at a time, so `sensegate validate` can
 * list every problem of a file in one run. Each names the file, line, column and field path.
 */
import { SensegateError, describeZodError, formatPath, type YamlPath, type YamlSource } from '@sensegate/sdk';
import type { z } from 'zod';

export interface ConfigIssue {
  file: string;
  line?: number;
  col?: number;
  path: string;
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}:${issue.col ?? 1}` : issue.file;
  return `${where}: ${issue.path}: ${issue.message}`;
}

export class ConfigError extends SensegateError {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      'SG_CONFIG_INVALID',
      `${issues.length} problem${issues.length === 1 ? '' : 's'} in the configuration:\n` +
        issues.map((i) => `  ${formatIssue(i)}`).join('\n'),
      { source: issues[0]?.file },
    );
    this.name = 'ConfigError';
  }
}

/** Turns zod issues into positioned config issues, `base` being where the validated value sits. */
export function issuesFromZod(error: z.ZodError, source: YamlSource, base: YamlPath = []): ConfigIssue[] {
  return describeZodError(error, base).map((problem) => issueAt(source, problem.path, problem.message));
}

/** A problem at `path`, located in the file (a missing field is located at its parent). */
export function issueAt(source: YamlSource, path: YamlPath, message: string): ConfigIssue {
  const pos = source.position(path);
  return { file: source.file, ...(pos ? { line: pos.line, col: pos.col } : {}), path: formatPath(path), message };
}
