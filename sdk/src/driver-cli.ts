/**
 * What a driver contributes to the `sensegate` command line, declared on its definition so that a
 * vendor's package contributes exactly what a built-in one does:
 * - `discover`: find devices from a bare block of options (an address range), no configured device;
 * - `browse`: walk one device's address space from a target (an endpoint) and a bare block of options;
 * - `tools`: named commands of the driver's own (`sensegate opcua certs`);
 * - `simulator`: the package of the protocol's simulator (`sensegate sim <driver>`).
 *
 * The gateway owns the command line: it turns `--kebab-case` flags into the fields of the option
 * schema (help text from each field's `.describe()`), validates them, prints the results and writes
 * the `devices:` block. A driver returns plain values; it never parses flags or writes YAML.
 */
import type { z } from 'zod';
import type { BrowseNode, DiscoveredDevice } from './driver.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyObjectSchema = z.ZodObject<any>;

/** What the command line gives a driver's discover, browse and tools. */
export interface CliIO {
  /** How the user called this command, for messages: `sensegate opcua certs`. */
  readonly command: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** The folder the command was run in. */
  readonly cwd: string;
  /**
   * The folder this driver keeps state in (certificates, caches) for the gateway the command acts for:
   * the `dataDir` its instances get in `sensegate run`. Found from `--data DIR` (a gateway data folder),
   * else `--config FILE` (that gateway's data folder), else `$SENSEGATE_DATA`, else `.sensegate/default`
   * (see gatewayDataDir). Discover and browse get the command's own `--data` and `--config`; a tool
   * passes the ones it parsed.
   */
  dataDir(flags?: { data?: string | undefined; config?: string | undefined }): Promise<string>;
  /** An AbortSignal that fires on Ctrl-C. */
  readonly signal: AbortSignal;
}

/** Rows printed before the written block, one per device found: a header and cells. */
export interface CliTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** What `discover` found. */
export interface DiscoveryResult {
  /** Devices suggested for the configuration, each with a `connection` block the driver's schema accepts. */
  devices: DiscoveredDevice[];
  /** What answered, printed as columns (default: id, name and connection of each device). */
  table?: CliTable;
  /** Said when nothing answered, with what to try next. */
  nothingFound?: string;
  /** What a device is called in messages, singular and plural (default: device, devices). */
  noun?: readonly [string, string];
  /** Comment lines at the top of the written block (`the password is read from $ONVIF_PASSWORD`). */
  notes?: string[];
}

/** What `browse` walked. */
export interface BrowseResult {
  /** The address space, as a tree; variables can become points. */
  nodes: BrowseNode[];
  /** Printed after the tree (`stopped after 5000 nodes: narrow it with --from or --depth`). */
  notes?: string[];
  /** The `connection` block of the device the written configuration describes. */
  connection: Record<string, unknown>;
  /** The driver's point fields that read a variable (`{ nodeId: node.address }`); `id`, `name` and `writable` are added. */
  point(node: BrowseNode): Record<string, unknown>;
  /** A device id for the written configuration when the user gives none with `--device`. */
  deviceId?: string;
}

/**
 * `sensegate discover <driver> [--<field> value ...]`. Every field of `options` is a flag: `passwordEnv`
 * is `--password-env`, numbers and booleans are converted, arrays repeat the flag. The command adds
 * `--out FILE`, `--json`, `--data DIR` and `--config FILE`.
 */
export interface DriverDiscover<OS extends AnyObjectSchema = AnyObjectSchema> {
  /** One line: what is probed and how. */
  summary: string;
  /** The bare block discovery starts from; `.describe()` every field, it is the flag's help. */
  options: OS;
  /**
   * Probe and return what answered. Throw SG_CONFIG_INVALID for options the schema could not judge
   * (a range too large): the command reports it as a usage error.
   */
  run(options: z.output<OS>, io: CliIO): Promise<DiscoveryResult>;
}

/**
 * `sensegate browse <driver> <target> [--<field> value ...]`. `target` names the field of `options` that
 * the positional argument fills (`endpoint`); the other fields are flags as for discover. The command
 * adds `--select PATTERN`, `--device ID`, `--out FILE`, `--json`, `--data DIR` and `--config FILE`.
 */
export interface DriverBrowse<OS extends AnyObjectSchema = AnyObjectSchema> {
  summary: string;
  /** The field of `options` given as the positional argument. */
  target: string;
  options: OS;
  run(options: z.output<OS>, io: CliIO): Promise<BrowseResult>;
}

/** `sensegate <driver> <tool> [args]`: a command of the driver's own. */
export interface DriverTool {
  /** One line, shown by `sensegate <driver>` and `sensegate drivers`. */
  summary: string;
  /** The full usage text, printed for `--help`. */
  help: string;
  /** Runs with the arguments after the tool's name; resolves with the exit code. Throw SG_USAGE for bad arguments. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/**
 * What a simulator package exports so that `sensegate sim <driver>` can run it: a CLI taking the
 * arguments after the driver's name (`--profile NAME` already resolved to the driver's profile file).
 */
export interface SimulatorModule {
  runSimulatorCli(argv: string[]): Promise<void>;
}

/** `passwordEnv` → `password-env`: the flag of an option field. */
export function flagOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
