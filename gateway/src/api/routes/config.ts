/**
 * The configuration: the running file with its secrets masked, and the check of a candidate, which
 * answers with the same problems, at the same file:line:column and field path, as `sensegate validate`.
 * A candidate is checked as if it were the running file (its relative paths and packages are found
 * from the same folder); it is not saved and nothing is applied.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { checkConfigText } from '../../config/check.js';
import { configCheckSchema, configViewSchema } from '../answers.js';
import type { ApiContext } from '../context.js';
import { ApiError, route, type Route } from '../route.js';
import { maskSecrets, unmaskSecrets } from '../masked-config.js';

/** The largest candidate checked; a configuration of thousands of devices is well below. */
export const MAX_CANDIDATE_BYTES = 4 * 1024 * 1024;

export function configRoutes(ctx: ApiContext): Route[] {
  const file = ctx.gateway.config.file;
  return [
    route({
      method: 'GET',
      path: '/api/v1/config',
      tag: 'config',
      access: 'viewer',
      summary: 'The running configuration file, secrets written inline masked (line numbers unchanged).',
      answer: configViewSchema,
      handler: async () => {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          throw new ApiError(500, 'SG_CONFIG_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`);
        }
        return { file, ...maskSecrets(text) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/config/validate',
      tag: 'config',
      access: 'admin',
      summary: 'Check a candidate configuration; answers every problem at its line and field path, as `sensegate validate`. Nothing is saved or applied.',
      description: 'A secret the candidate leaves masked (`"********"`, as `GET /api/v1/config` shows it) at the same field path as in the running file is checked with the running file\'s value.',
      body: z.object({ text: z.string().max(MAX_CANDIDATE_BYTES).describe('The candidate file\'s YAML.') }).strict(),
      answer: configCheckSchema,
      handler: async ({ body }) => {
        const running = await readFile(file, 'utf8').catch(() => '');
        const result = await checkConfigText(unmaskSecrets(body.text, running), file);
        return result.ok ? { ok: true, summary: result.summary, problems: [] } : result;
      },
    }),
  ];
}
