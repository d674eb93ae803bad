#!/usr/bin/env node
// The `sensegate` command: runs the built CLI (dist/cli.js). This file is in the repository, not
// built, so that `npm ci` in a fresh clone links the command (npm links no command whose file does
// not exist yet); in a clone, `npm run build` (which `npm run demo` and `npm test` do) builds dist/.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('sensegate: the CLI is not built yet (distribution/dist/cli.js is missing); run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(cli.href);
