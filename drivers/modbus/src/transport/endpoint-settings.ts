/**
 * Where a device is on the wire, as a key shared by every device on the same connection: a TCP
 * device or serial server (`host:port`), or a serial port (its path). Devices on one endpoint must
 * agree on how to talk to it (framing, serial line settings).
 */
import { SensegateError } from '@sensegate/sdk';
import { SERIAL_DEFAULTS, type ModbusConnection, type Transport } from '../config/connection.js';

export interface EndpointSettings {
  /** `host:port` or the serial path. */
  key: string;
  transport: Transport;
  host: string;
  port: number;
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export function endpointSettings(c: ModbusConnection): EndpointSettings {
  const serial = c.transport === 'rtu';
  return {
    key: serial ? c.path! : `${c.host}:${c.port}`,
    transport: c.transport,
    host: c.host ?? '',
    port: c.port,
    path: c.path ?? '',
    baudRate: c.baudRate ?? SERIAL_DEFAULTS.baudRate,
    dataBits: c.dataBits ?? SERIAL_DEFAULTS.dataBits,
    parity: c.parity ?? SERIAL_DEFAULTS.parity,
    stopBits: c.stopBits ?? SERIAL_DEFAULTS.stopBits,
  };
}

/** How the endpoint is named in logs and messages. */
export function describeEndpoint(s: EndpointSettings): string {
  return s.transport === 'rtu' ? `${s.path} (rtu ${s.baudRate} ${s.dataBits}${s.parity[0]!.toUpperCase()}${s.stopBits})` : `${s.key} (${s.transport})`;
}

/** Throws SG_CONFIG_INVALID when a device disagrees with the devices already on its endpoint. */
export function checkSameEndpoint(existing: EndpointSettings, other: EndpointSettings, existingDevice: string, device: string): void {
  const fields = ['transport', 'baudRate', 'dataBits', 'parity', 'stopBits'] as const;
  const differ = fields.filter((f) => existing[f] !== other[f]);
  if (differ.length > 0) {
    throw new SensegateError(
      'SG_CONFIG_INVALID',
      `device "${device}" shares ${other.key} with device "${existingDevice}" but sets ${differ
        .map((f) => `${f} ${String(other[f])} instead of ${String(existing[f])}`)
        .join(', ')}: devices on one connection must agree on how to talk to it`,
      { device },
    );
  }
}

/** RTU's silent interval between frames (3.5 characters; 1.75 ms above 19200 bit/s), in whole ms. */
export function interFrameDelay(s: EndpointSettings): number {
  if (s.transport !== 'rtu') return 0;
  if (s.baudRate > 19200) return 2;
  const bitsPerChar = 1 + s.dataBits + (s.parity === 'none' ? 0 : 1) + s.stopBits;
  return Math.ceil((3.5 * bitsPerChar * 1000) / s.baudRate);
}
