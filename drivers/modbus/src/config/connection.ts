/**
 * A Modbus device's `connection` block: where the device is (TCP, RTU over TCP through a serial
 * server, or RTU on a local serial port), which unit id it answers to, how reads are merged, and
 * explicit workarounds for devices that bend the protocol (Telegraf's idea: quirks are config).
 */
import { duration } from '@sensegate/sdk';
import { z } from 'zod';

export const TRANSPORTS = ['tcp', 'rtu-over-tcp', 'rtu'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Defaults of the serial line, applied when a field is left out (only `rtu` may set them). */
export const SERIAL_DEFAULTS = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;

export const workaroundsSchema = z
  .object({
    pauseBetweenRequests: duration(
      'Wait this long after each answer before sending the next request on the connection (slow serial servers, devices that need a rest). Forces one request at a time.',
    ).default(0),
    onePointPerRequest: z
      .boolean()
      .default(false)
      .describe('Read every point with its own request instead of merging neighbours (devices that reject block reads).'),
    writeMultiple: z
      .boolean()
      .default(false)
      .describe('Write with FC15/FC16 (write multiple) even for one coil or register (devices without FC5/FC6).'),
  })
  .strict()
  .describe('Explicit workarounds for device quirks; all off by default.');

const SERIAL_FIELDS = ['baudRate', 'dataBits', 'parity', 'stopBits'] as const;

export const connectionSchema = z
  .object({
    transport: z
      .enum(TRANSPORTS)
      .default('tcp')
      .describe('`tcp`: Modbus TCP (MBAP). `rtu-over-tcp`: RTU frames through a TCP serial server (an RS-485 bus). `rtu`: RTU on a local serial port.'),
    host: z.string().min(1).optional().describe('Host name or IP address of the device or serial server (tcp, rtu-over-tcp).'),
    port: z.number().int().min(1).max(65535).default(502).describe('TCP port (tcp, rtu-over-tcp).'),
    path: z.string().min(1).optional().describe('Serial device path, e.g. `/dev/ttyUSB0` (rtu).'),
    baudRate: z.number().int().positive().optional().describe('Serial speed in bit/s (rtu; default 9600).'),
    dataBits: z.union([z.literal(7), z.literal(8)]).optional().describe('Data bits per character (rtu; default 8).'),
    parity: z.enum(['none', 'even', 'odd']).optional().describe('Parity (rtu; default none).'),
    stopBits: z.union([z.literal(1), z.literal(2)]).optional().describe('Stop bits (rtu; default 1).'),
    unitId: z
      .number()
      .int()
      .min(0)
      .max(255)
      .default(1)
      .describe('Unit id (slave address) of the device: 1..247 on a serial bus; TCP devices often use 1, 0 or 255.'),
    maxGap: z
      .number()
      .int()
      .min(0)
      .max(124)
      .default(8)
      .describe('Registers a merged read may fetch that no point needs, to join two neighbouring points into one request (0: only adjacent points merge).'),
    maxBitGap: z
      .number()
      .int()
      .min(0)
      .max(1999)
      .default(128)
      .describe('Coils or discrete inputs a merged read may fetch that no point needs.'),
    maxRegisters: z
      .number()
      .int()
      .min(1)
      .max(125)
      .default(125)
      .describe('Largest register read per request (FC3/FC4); lower it for devices with a smaller limit.'),
    maxBits: z.number().int().min(1).max(2000).default(2000).describe('Largest coil or discrete-input read per request (FC1/FC2).'),
    maxConcurrentRequests: z
      .number()
      .int()
      .min(1)
      .max(128)
      .default(8)
      .describe('Modbus TCP: requests sent on the connection before their answers arrive (matched by transaction id); 1 for devices that cannot queue. RTU buses always carry one at a time.'),
    workarounds: workaroundsSchema.default({ pauseBetweenRequests: 0, onePointPerRequest: false, writeMultiple: false }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.transport === 'rtu') {
      if (c.path === undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'transport rtu needs `path`, the serial device (e.g. /dev/ttyUSB0)' });
      if (c.host !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['host'], message: 'transport rtu reads a local serial port: remove `host`, or use transport rtu-over-tcp for a serial server' });
      }
      if (c.unitId === 0 || c.unitId > 247) {
        ctx.addIssue({ code: 'custom', path: ['unitId'], message: `on a serial bus unit ids are 1..247 (0 is broadcast), got ${c.unitId}` });
      }
    } else {
      if (c.host === undefined) ctx.addIssue({ code: 'custom', path: ['host'], message: `transport ${c.transport} needs \`host\`` });
      if (c.path !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['path'], message: `\`path\` is for transport rtu (a local serial port); this device's transport is ${c.transport}` });
      }
      for (const field of SERIAL_FIELDS) {
        if (c[field] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [field], message: `\`${field}\` is a serial line setting (transport rtu); set it on the serial server for ${c.transport}` });
        }
      }
      if (c.transport === 'rtu-over-tcp' && (c.unitId === 0 || c.unitId > 247)) {
        ctx.addIssue({ code: 'custom', path: ['unitId'], message: `behind a serial server unit ids are 1..247 (0 is broadcast), got ${c.unitId}` });
      }
    }
  })
  .describe('How to reach a Modbus device and how to read it.');

export type ModbusConnection = z.output<typeof connectionSchema>;
export type ModbusConnectionInput = z.input<typeof connectionSchema>;
