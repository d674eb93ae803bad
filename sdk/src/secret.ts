/**
 * Secrets in the configuration: `{ env: NAME }` or `{ file: PATH }`, resolved when they are used
 * (the gateway resolves sinks' secrets, and drivers' through `DriverContext.secret`). A literal
 * string is accepted for local development only. The resolved value is wrapped in
 * `Secret`, which prints as `[redacted]` in logs, JSON and error messages; only `reveal()` gives it.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SensegateError } from './errors.js';
import { z } from 'zod';

export class Secret {
  readonly #value: string;

  constructor(
    value: string,
    /** Where it came from, safe to print: `env:MQTT_PASSWORD`, `file:/run/secrets/mqtt`, `inline`. */
    readonly origin: string,
  ) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.origin})`;
  }
}

const reference = z.union([
  z.object({ env: z.string().min(1).describe('Name of the environment variable holding the secret.') }).strict(),
  z
    .object({ file: z.string().min(1).describe('Path of a file holding the secret (trailing newline removed); relative to the config file.') })
    .strict(),
  z.string().describe('The secret itself; for local development only, prefer `env` or `file`.'),
]);

/** The raw (unresolved) secret reference as written in YAML. */
export type SecretRef = z.output<typeof reference>;

/** A secret field; resolve it with `resolveSecret` after validation. */
export function secret(description: string) {
  return reference.describe(`${description} Give \`{ env: NAME }\` or \`{ file: PATH }\`; never printed in logs.`);
}

export interface SecretScope {
  /** Folder of the configuration file, for relative secret files. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  /** Config path of the field, for error messages (`sinks[0].password`). */
  path: string;
  source: string;
}

export function resolveSecret(ref: SecretRef, scope: SecretScope): Secret {
  if (typeof ref === 'string') return new Secret(ref, 'inline');
  if ('env' in ref) {
    const value = scope.env[ref.env];
    if (value === undefined) {
      throw new SensegateError(
        'SG_SECRET_MISSING',
        `${scope.source}: ${scope.path}: environment variable ${ref.env} is not set`,
        { source: scope.source },
      );
    }
    return new Secret(value, `env:${ref.env}`);
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(scope.baseDir, ref.file);
  try {
    return new Secret(readFileSync(path, 'utf8').replace(/\r?\n$/, ''), `file:${path}`);
  } catch (err) {
    throw new SensegateError('SG_SECRET_MISSING', `${scope.source}: ${scope.path}: cannot read secret file ${path}: ${(err as Error).message}`, {
      source: scope.source,
      cause: err,
    });
  }
}
