/**
 * `SnapshotStore`: JPEGs on disk under the gateway's data folder, one folder per camera, bounded by
 * total bytes and by age. The folder is the index: a file's name carries its time and reason, its
 * header its size, so the store rebuilds itself at open and its bounds hold across restarts.
 *
 *   <dir>/<device>/<20261129T150102.123Z>-<reason>-<3f2a>.jpg
 *
 * Files are written to a temporary name and renamed, so a reader never sees half a picture. There
 * is no fsync: after a power cut a file may come back empty or cut short, and the next open
 * deletes it rather than trust it (losing one picture beats wearing an SD card on every save).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { PRIVATE, ensureFolder, tighten, type FileAccess } from '../../data-folder.js';
import { join, relative, resolve, sep } from 'node:path';
import { SensegateError, silentLogger, type Logger } from '@sensegate/sdk';
import { jpegSize } from './jpeg.js';

export interface SnapshotRef {
  /** `<device>/<name without .jpg>`: unique, and the same after a restart. */
  readonly id: string;
  readonly device: string;
  /** Path relative to the store's folder, `/`-separated: `cam-1/20261129T150102.123Z-motion-3f2a.jpg`. */
  readonly file: string;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  /** When the picture was taken, ms since the epoch (to the millisecond, as in the file name). */
  readonly ts: number;
  /** Why it was taken: `motion`, `schedule`, ... (letters, digits, `_`, `-`). */
  readonly reason: string;
}

export interface SnapshotStoreOptions {
  /** The store's folder, created if missing; it should hold nothing but snapshots. */
  dir: string;
  /** Total bytes of all pictures; the oldest go first beyond it. */
  maxBytes: number;
  /** Pictures older than this many milliseconds are deleted. */
  maxAge: number;
  log?: Logger;
  /** Modes (and group) of the store's folders and pictures (default: private to the gateway's user). */
  access?: FileAccess;
  /** How often the age bound is applied when no picture is saved, in ms (default: maxAge / 10, at most a minute). */
  sweepInterval?: number;
}

export interface SnapshotStoreStats {
  count: number;
  bytes: number;
  /** Time of the oldest and the newest picture, when there is one. */
  oldest?: number;
  newest?: number;
}

/** Device ids as the configuration allows them; anything else could leave the folder. */
const DEVICE = /^[A-Za-z0-9_.:-]{1,128}$/;
const REASON = /^[A-Za-z0-9_-]{1,32}$/;
const NAME = /^(\d{8}T\d{6}\.\d{3}Z)-([A-Za-z0-9_-]{1,32})-([0-9a-f]{4})\.jpg$/;
const TEMP = /^\..*\.tmp$/;
/** Enough of a file to reach its frame header past a typical EXIF block. */
const HEAD_BYTES = 64 * 1024;

/** `2026-11-29T15:01:02.123Z` -> `20261129T150102.123Z` (no `:` so the names work on every file system). */
export function stampOf(ts: number): string {
  return new Date(ts).toISOString().replace(/[-:]/g, '');
}

function timeOfStamp(stamp: string): number {
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13)}`;
  return Date.parse(iso);
}

function checkDevice(device: string): void {
  if (typeof device !== 'string' || !DEVICE.test(device) || device === '.' || device === '..') {
    throw new SensegateError('SG_SNAPSHOT_FAILED', `snapshot store: ${JSON.stringify(device)} is not a device id (letters, digits, "_", ".", ":", "-")`, { retryable: false });
  }
}

const byTime = (a: SnapshotRef, b: SnapshotRef): number => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class SnapshotStore {
  readonly dir: string;
  private readonly log: Logger;
  /** Oldest first. */
  private entries: SnapshotRef[] = [];
  private readonly byId = new Map<string, SnapshotRef>();
  private totalBytes = 0;
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(private readonly options: SnapshotStoreOptions) {
    this.dir = resolve(options.dir);
    this.log = options.log ?? silentLogger;
  }

  /** Opens the folder (creating it), rebuilds the index from the files there, and applies the bounds. */
  static async open(options: SnapshotStoreOptions): Promise<SnapshotStore> {
    for (const key of ['maxBytes', 'maxAge'] as const) {
      const value = options[key];
      if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`snapshot store: ${key} must be a positive number, got ${String(value)}`);
    }
    const store = new SnapshotStore(options);
    await store.rebuild();
    await store.prune();
    const sweep = options.sweepInterval ?? Math.min(60_000, Math.max(1000, options.maxAge / 10));
    store.sweeper = setInterval(() => void store.prune(), sweep);
    store.sweeper.unref();
    return store;
  }

  /** Writes a picture and applies the bounds; the JPEG must be whole enough to give its size. */
  async save(device: string, jpeg: Buffer, options: { ts?: number; reason: string }): Promise<SnapshotRef> {
    checkDevice(device);
    if (!REASON.test(options.reason)) throw new RangeError(`snapshot store: reason must be 1 to 32 letters, digits, "_" or "-", got ${JSON.stringify(options.reason)}`);
    const size = jpegSize(jpeg);
    if (!size) throw new SensegateError('SG_SNAPSHOT_FAILED', `camera "${device}": the picture is not a JPEG with a frame header (${jpeg.length} bytes); not stored`, { device });
    if (jpeg.length > this.options.maxBytes) {
      throw new SensegateError('SG_SNAPSHOT_FAILED', `camera "${device}": a picture of ${jpeg.length} bytes is larger than the store's maxBytes (${this.options.maxBytes}); not stored`, { device, retryable: false });
    }
    const ts = Math.round(options.ts ?? Date.now());
    if (!Number.isFinite(ts) || ts < 0 || ts > 253402300799999) throw new RangeError(`snapshot store: ts must be ms since the epoch, got ${String(options.ts)}`);
    let name: string;
    do name = `${stampOf(ts)}-${options.reason}-${randomBytes(2).toString('hex')}`;
    while (this.byId.has(`${device}/${name}`));
    const file = `${device}/${name}.jpg`;
    const target = this.resolveInside(file);
    const temp = join(this.dir, device, `.${name}.tmp`);
    try {
      await ensureFolder(join(this.dir, device), this.access);
      await writeFile(temp, jpeg, { flag: 'wx', mode: this.access.file });
      if (this.access.gid !== undefined) await tighten(temp, this.access.file, this.access);
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw new SensegateError('SG_SNAPSHOT_FAILED', `camera "${device}": cannot store the picture in ${this.dir}: ${(err as Error).message}`, { device, cause: err });
    }
    const ref: SnapshotRef = { id: `${device}/${name}`, device, file, bytes: jpeg.length, width: size.width, height: size.height, ts, reason: options.reason };
    this.add(ref);
    await this.prune();
    return ref;
  }

  /**
   * Deletes every picture older than maxAge, then the oldest until the total fits maxBytes.
   * Resolves with how many went. The index changes at once, so concurrent calls never count a
   * file twice; the files are deleted after.
   */
  async prune(now = Date.now()): Promise<number> {
    const cutoff = now - this.options.maxAge;
    let drop = 0;
    let bytes = this.totalBytes;
    while (drop < this.entries.length && (this.entries[drop]!.ts < cutoff || bytes > this.options.maxBytes)) {
      bytes -= this.entries[drop]!.bytes;
      drop++;
    }
    if (drop === 0) return 0;
    const gone = this.entries.splice(0, drop);
    this.totalBytes = bytes;
    for (const ref of gone) this.byId.delete(ref.id);
    await Promise.all(
      gone.map((ref) =>
        unlink(this.resolveInside(ref.file)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') this.log.warn({ file: ref.file, err: err.message }, `snapshot store: cannot delete ${ref.file}: ${err.message}`);
        }),
      ),
    );
    this.log.debug({ deleted: gone.length, count: this.entries.length, bytes: this.totalBytes }, `snapshot store: deleted ${gone.length} old snapshot(s)`);
    return gone.length;
  }

  get(id: string): SnapshotRef | undefined {
    return this.byId.get(id);
  }

  /** Absolute path of a picture (whether or not it is still there). */
  path(ref: SnapshotRef | string): string {
    return this.resolveInside(typeof ref === 'string' ? `${ref}.jpg` : ref.file);
  }

  /** Every picture, or one camera's, oldest first. */
  list(device?: string): SnapshotRef[] {
    return device === undefined ? [...this.entries] : this.entries.filter((e) => e.device === device);
  }

  /** The newest pictures, or one camera's, newest first: at most `limit`. */
  newest(limit: number, device?: string): SnapshotRef[] {
    const out: SnapshotRef[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const ref = this.entries[i]!;
      if (device === undefined || ref.device === device) out.push(ref);
    }
    return out;
  }

  /** A camera's newest picture, if it has one. */
  latest(device: string): SnapshotRef | undefined {
    return this.newest(1, device)[0];
  }

  /**
   * The bytes of a picture the index holds, or undefined when it has none by that id or its file
   * went meanwhile (pruned by its bounds between the lookup and the read). Only indexed pictures
   * are read: an id from a request never becomes a path on its own.
   */
  async read(id: string): Promise<{ ref: SnapshotRef; jpeg: Buffer } | undefined> {
    const ref = this.byId.get(id);
    if (!ref) return undefined;
    try {
      return { ref, jpeg: await readFile(this.resolveInside(ref.file)) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  stats(): SnapshotStoreStats {
    const stats: SnapshotStoreStats = { count: this.entries.length, bytes: this.totalBytes };
    if (this.entries.length) {
      stats.oldest = this.entries[0]!.ts;
      stats.newest = this.entries.at(-1)!.ts;
    }
    return stats;
  }

  /** Stops the age sweep; the files stay. */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private add(ref: SnapshotRef): void {
    // Pictures nearly always arrive in time order: search from the end.
    let at = this.entries.length;
    while (at > 0 && byTime(this.entries[at - 1]!, ref) > 0) at--;
    this.entries.splice(at, 0, ref);
    this.byId.set(ref.id, ref);
    this.totalBytes += ref.bytes;
  }

  /** A path under the store's folder; refuses anything that would lead out of it. */
  private resolveInside(file: string): string {
    const path = resolve(this.dir, file);
    if (!path.startsWith(this.dir + sep) || relative(this.dir, path).split(sep).includes('..')) {
      throw new SensegateError('SG_SNAPSHOT_FAILED', `snapshot store: ${JSON.stringify(file)} is outside ${this.dir}`, { retryable: false });
    }
    return path;
  }

  private get access(): FileAccess {
    return this.options.access ?? PRIVATE;
  }

  private async rebuild(): Promise<void> {
    await ensureFolder(this.dir, this.access, this.options.log);
    const found: SnapshotRef[] = [];
    let ignored = 0;
    let broken = 0;
    for (const folder of await readdir(this.dir, { withFileTypes: true })) {
      if (!folder.isDirectory() || !DEVICE.test(folder.name) || folder.name === '.' || folder.name === '..') {
        ignored++;
        continue;
      }
      const device = folder.name;
      for (const entry of await readdir(join(this.dir, device), { withFileTypes: true })) {
        const path = join(this.dir, device, entry.name);
        if (entry.isFile() && TEMP.test(entry.name)) {
          await unlink(path).catch(() => {}); // a save cut short
          continue;
        }
        const match = entry.isFile() ? NAME.exec(entry.name) : null;
        if (!match) {
          ignored++;
          continue;
        }
        const ref = await this.readRef(device, entry.name, match, path);
        if (ref) found.push(ref);
        else {
          broken++;
          await unlink(path).catch(() => {});
        }
      }
    }
    found.sort(byTime);
    for (const ref of found) {
      this.entries.push(ref);
      this.byId.set(ref.id, ref);
      this.totalBytes += ref.bytes;
    }
    if (broken) this.log.warn({ dir: this.dir, deleted: broken }, `snapshot store: deleted ${broken} picture(s) that are not whole JPEGs (cut short by a power loss?)`);
    if (ignored) this.log.info({ dir: this.dir, ignored }, `snapshot store: ${ignored} entr${ignored === 1 ? 'y' : 'ies'} in ${this.dir} are not snapshots; left alone`);
    this.log.info({ dir: this.dir, count: found.length, bytes: this.totalBytes }, `snapshot store: ${found.length} snapshot(s), ${this.totalBytes} bytes, in ${this.dir}`);
  }

  private async readRef(device: string, name: string, match: RegExpExecArray, path: string): Promise<SnapshotRef | undefined> {
    const ts = timeOfStamp(match[1]!);
    if (!Number.isFinite(ts)) return undefined;
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const { size: bytes } = await handle.stat();
      const head = Buffer.alloc(Math.min(bytes, HEAD_BYTES));
      await handle.read(head, 0, head.length, 0);
      let size = jpegSize(head);
      if (!size && bytes > head.length) {
        const whole = Buffer.alloc(bytes);
        await handle.read(whole, 0, bytes, 0);
        size = jpegSize(whole);
      }
      if (!size) return undefined;
      const base = name.slice(0, -'.jpg'.length);
      return { id: `${device}/${base}`, device, file: `${device}/${name}`, bytes, width: size.width, height: size.height, ts, reason: match[2]! };
    } finally {
      await handle.close();
    }
  }
}

