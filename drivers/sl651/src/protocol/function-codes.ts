/** Function codes of the uplink reports this codec knows, and which of them the centre confirms. */

export const FUNCTION = {
  keepAlive: 0x2f,
  test: 0x30,
  equalInterval: 0x31,
  timed: 0x32,
  add: 0x33,
  hourly: 0x34,
  manual: 0x35,
  image: 0x36,
} as const;

export type FunctionName = keyof typeof FUNCTION;

export const FUNCTION_NAMES: Readonly<Record<number, string>> = {
  0x2f: 'keep-alive',
  0x30: 'test report',
  0x31: 'equal-interval report',
  0x32: 'timed report',
  0x33: 'add report',
  0x34: 'hourly report',
  0x35: 'manual report',
  0x36: 'image report',
};

/** Reports whose elements the driver publishes. */
export const REPORTS: ReadonlySet<number> = new Set([0x30, 0x31, 0x32, 0x33, 0x34]);

/**
 * The keep-alive (2F) is never answered: it only keeps a dynamic-IP link open. Self-reports (30-36)
 * are confirmed by the centre with the report's serial number and send time, ending in ESC (stay
 * online) or EOT (hang up); a packet of a multi-packet report (ETB) is answered with ACK.
 */
export function isConfirmed(functionCode: number): boolean {
  return functionCode >= 0x30 && functionCode <= 0x36;
}

export function functionName(code: number): string {
  return FUNCTION_NAMES[code] ?? `function ${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** `32`, `0x32`, or a name (`timed`) as a function code; undefined if none. */
export function parseFunctionCode(text: string): number | undefined {
  const named = (FUNCTION as Record<string, number>)[text];
  if (named !== undefined) return named;
  const m = /^(?:0x)?([0-9A-Fa-f]{2})$/.exec(text);
  return m ? parseInt(m[1]!, 16) : undefined;
}
