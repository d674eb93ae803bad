/**
 * The parts of modbus-serial the driver uses. The package is CommonJS: its default export is the
 * client class. Its own ports are not used: the client runs over framing ports of ours, which
 * check what the device sends (rtu-frame-port.ts, mbap-frame-port.ts). Requests are made with the callback API
 * (`writeFC3(unit, address, count, cb)`), which carries the unit id in each call instead of the
 * client's shared `setID` state, so jobs for different units never race on it.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import modbusSerial from 'modbus-serial';

type Callback<T> = (err: Error | null, result: T) => void;

export interface ReadResult {
  /** The data bytes of the answer: registers in wire order, or packed bits. */
  buffer: Buffer;
}

export interface ModbusClient extends EventEmitter {
  open(callback: (err?: Error | null) => void): void;
  writeFC1(unit: number, address: number, count: number, next: Callback<ReadResult>): void;
  writeFC2(unit: number, address: number, count: number, next: Callback<ReadResult>): void;
  writeFC3(unit: number, address: number, count: number, next: Callback<ReadResult>): void;
  writeFC4(unit: number, address: number, count: number, next: Callback<ReadResult>): void;
  writeFC5(unit: number, address: number, state: boolean, next: Callback<unknown>): void;
  writeFC6(unit: number, address: number, value: number, next: Callback<unknown>): void;
  writeFC15(unit: number, address: number, states: boolean[], next: Callback<unknown>): void;
  writeFC16(unit: number, address: number, registers: Buffer, next: Callback<unknown>): void;
}

type ClientClass = new (port: unknown) => ModbusClient;

const library = modbusSerial as unknown as { default: ClientClass };
const ModbusRTU = library.default;

/** A client over a port object of our own: RTU framing (rtu-frame-port.ts) or Modbus TCP (mbap-frame-port.ts). */
export function clientOn(port: unknown): ModbusClient {
  return new ModbusRTU(port);
}

export interface SerialPortOptions {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  autoOpen: false;
}

export interface SerialPortStream extends EventEmitter {
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  readonly isOpen: boolean;
}

/**
 * The `serialport` package, resolved as modbus-serial's own (optional) dependency, so that the
 * driver depends on its protocol library only. Loaded when the first serial device connects.
 */
export function loadSerialPort(): new (options: SerialPortOptions) => SerialPortStream {
  const require = createRequire(createRequire(import.meta.url).resolve('modbus-serial'));
  try {
    return (require('serialport') as { SerialPort: new (options: SerialPortOptions) => SerialPortStream }).SerialPort;
  } catch (err) {
    throw Object.assign(new Error(`serial transport needs the serialport package (an optional dependency of modbus-serial): ${(err as Error).message}`), {
      code: 'ENOENT',
    });
  }
}
