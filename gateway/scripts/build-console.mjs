#!/usr/bin/env node
// Builds the browser console (console/) into dist/console/: one minified app.js (preact, bundled
// with esbuild; no CDN, so it works on a site network without internet), app.css, index.html and a
// source map. Run by the gateway's `build` script after tsup, which cleans dist/ first. The API
// server serves exactly these files (src/api/console-files.ts), so a new file needs a line there.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'console');
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'console', 'src', 'main.tsx') },
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.css': 'css' },
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(join(root, 'console', 'index.html'), join(out, 'index.html'));
console.log(`console built into ${out}`);
