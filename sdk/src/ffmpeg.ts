/**
 * Finding ffmpeg. The `ffmpeg-static` package downloads its binary at install time, which fails on
 * machines without internet access, so it is only an optional dependency. The path resolves, in
 * order, from the configuration, then `FFMPEG_PATH`, then `ffmpeg-static` (when its binary is
 * really there), then `ffmpeg` on PATH. Nothing needs ffmpeg until a feature that uses it starts,
 * and only that feature fails, with SG_FFMPEG_MISSING saying what was tried.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join } from 'node:path';
import { SensegateError } from './errors.js';

export interface FfmpegLocation {
  path: string;
  /** Where it came from: `config`, `FFMPEG_PATH`, `ffmpeg-static` or `PATH`. */
  source: 'config' | 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH';
}

export interface FfmpegOptions {
  /** The configured path (a gateway's `ffmpeg:` setting), if any. */
  configured?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Which program: `ffmpeg` (default) or `ffprobe`, found the same way next to it. */
  program?: 'ffmpeg' | 'ffprobe';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

function fromStatic(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('ffmpeg-static') as unknown;
    return typeof path === 'string' && executable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** ffprobe beside a given ffmpeg (`/opt/ff/ffmpeg` -> `/opt/ff/ffprobe`), when it exists. */
function sibling(ffmpeg: string, program: string): string | undefined {
  if (program === 'ffmpeg') return ffmpeg;
  const candidate = ffmpeg.replace(/ffmpeg(\.exe)?$/, `${program}$1`);
  return candidate !== ffmpeg && executable(candidate) ? candidate : undefined;
}

/** Resolves ffmpeg (or ffprobe); throws SG_FFMPEG_MISSING naming every place it looked. */
export function resolveFfmpeg(options: FfmpegOptions = {}): FfmpegLocation {
  const env = options.env ?? process.env;
  const program = options.program ?? 'ffmpeg';
  const tried: string[] = [];
  const attempt = (path: string | undefined, source: FfmpegLocation['source'], label: string): FfmpegLocation | undefined => {
    if (!path) return undefined;
    const found = sibling(path, program);
    if (found && executable(found)) return { path: found, source };
    tried.push(`${label} (${path}${found === undefined && program !== 'ffmpeg' ? `: no ${program} beside it` : ': not an executable file'})`);
    return undefined;
  };
  if (options.configured !== undefined) {
    if (!isAbsolute(options.configured) && !options.configured.includes('/')) {
      const found = onPath(options.configured, env);
      if (found) return { path: sibling(found, program) ?? found, source: 'config' };
    }
    const hit = attempt(options.configured, 'config', 'the configuration');
    if (hit) return hit;
  }
  const fromEnv = attempt(env.FFMPEG_PATH, 'FFMPEG_PATH', 'FFMPEG_PATH');
  if (fromEnv) return fromEnv;
  const bundled = fromStatic();
  const fromPackage = bundled ? attempt(bundled, 'ffmpeg-static', 'ffmpeg-static') : undefined;
  if (fromPackage) return fromPackage;
  if (!bundled) tried.push('ffmpeg-static (not installed, or its binary was never downloaded)');
  const path = onPath(program, env);
  if (path) return { path, source: 'PATH' };
  tried.push(`${program} on PATH`);
  throw new SensegateError(
    'SG_FFMPEG_MISSING',
    `no ${program} found; tried ${tried.join(', ')}. Install ffmpeg (Debian: apt-get install ffmpeg) or set FFMPEG_PATH`,
  );
}
