/**
 * The built-in plug-ins, as a distribution hands them to the core: which short names (`driver: modbus`,
 * sink `type: mqtt`) stand for which packages, and where those packages are installed. The core names
 * no driver or sink itself: with nothing installed here, a configuration names every driver and sink
 * by its package name. The distribution package (`sensegate`) installs its table before it runs the
 * command line, as Telegraf's `plugins/*\/all` registers its plug-ins.
 */

export interface Builtins {
  /** A device's `driver:` short name → the driver's package. */
  readonly drivers: Readonly<Record<string, string>>;
  /** A sink's `type:` short name → the sink's package (or a driver's subpath export). */
  readonly sinks: Readonly<Record<string, string>>;
  /**
   * Folders whose node_modules hold the built-in packages (the distribution's own folder), searched
   * after the configuration file's folder, so a site's own packages come first.
   */
  readonly searchFrom: readonly string[];
}

const NONE: Builtins = Object.freeze({ drivers: Object.freeze({}), sinks: Object.freeze({}), searchFrom: Object.freeze([]) as readonly string[] });

let installed: Builtins = NONE;

/** Makes `table` the built-in plug-ins of this process; undefined removes them. */
export function installBuiltins(table: Builtins | undefined): void {
  installed = table
    ? Object.freeze({ drivers: Object.freeze({ ...table.drivers }), sinks: Object.freeze({ ...table.sinks }), searchFrom: Object.freeze([...table.searchFrom]) })
    : NONE;
}

/** The built-in plug-ins installed in this process (none unless a distribution installed them). */
export function builtins(): Builtins {
  return installed;
}
