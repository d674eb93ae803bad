/** The commands a camera accepts beside point writes: PTZ moves and presets, with their arguments. */
import { duration, type DriverCommand } from '@sensegate/sdk';
import { z } from 'zod';

const velocity = (what: string) => z.number().min(-1).max(1).optional().describe(`${what} speed, -1..1 (0 or left out: none).`);
const position = (what: string, min: number) => z.number().min(min).max(1).describe(`${what}, ${min}..1 in the camera's generic space.`);
const step = (what: string) => z.number().min(-2).max(2).optional().describe(`${what} change, -2..2 in the camera's generic space (0 or left out: none).`);
const speed = z.number().min(0).max(1).optional().describe('Move speed 0..1; default: the camera\'s.');

export const commands = {
  'ptz.move': {
    description: 'Move continuously (pan, tilt, zoom velocities -1..1) until ptz.stop or the timeout.',
    args: z
      .object({ pan: velocity('Pan'), tilt: velocity('Tilt'), zoom: velocity('Zoom'), timeout: duration('Stop on its own after this long; default: the camera\'s.').optional() })
      .strict(),
  },
  'ptz.stop': { description: 'Stop any pan, tilt and zoom movement.', args: z.object({}).strict() },
  'ptz.absolute': {
    description: 'Move to a position: pan and tilt -1..1, zoom 0..1.',
    args: z.object({ pan: position('Pan', -1), tilt: position('Tilt', -1), zoom: position('Zoom', 0).optional(), speed }).strict(),
  },
  'ptz.relative': {
    description: 'Move by an amount from where the camera points now.',
    args: z.object({ pan: step('Pan'), tilt: step('Tilt'), zoom: step('Zoom'), speed }).strict(),
  },
  'ptz.preset.goto': {
    description: 'Go to a preset, by token or by name.',
    args: z.object({ preset: z.string().min(1).describe('Preset token or name.'), speed }).strict(),
  },
  'ptz.preset.set': {
    description: 'Save where the camera points now as a preset; answers its token. An existing preset of that name is overwritten.',
    args: z.object({ name: z.string().min(1).max(64).describe('Preset name.') }).strict(),
  },
  'ptz.home': { description: 'Go to the home position.', args: z.object({ speed }).strict() },
} as const satisfies Record<string, DriverCommand>;

export type CommandName = keyof typeof commands;
export type CommandArgs<N extends CommandName> = z.output<(typeof commands)[N]['args']>;
