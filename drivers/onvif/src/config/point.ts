/**
 * An ONVIF point: which of the camera's states it carries. The driver fills the camera states; the
 * `stream.*` sources are filled by the gateway's video relay, and the driver accepts and ignores them.
 */
import { z } from 'zod';

/** Sources the driver publishes. */
export const DRIVER_SOURCES = ['online', 'clock-offset', 'last-event', 'motion', 'tamper', 'ptz.pan', 'ptz.tilt', 'ptz.zoom'] as const;
/** Sources the gateway's video relay publishes for the device. */
export const RELAY_SOURCES = ['stream.up', 'stream.bitrate', 'stream.viewers'] as const;
export const SOURCES = [...DRIVER_SOURCES, ...RELAY_SOURCES] as const;
export type PointSource = (typeof SOURCES)[number];

export const pointShape = {
  source: z
    .enum(SOURCES)
    .optional()
    .describe(
      'What the point carries; default: the point\'s id. `online`, `clock-offset` (seconds, camera minus gateway), `last-event` (ISO time), `motion`, `tamper`, `ptz.pan`, `ptz.tilt`, `ptz.zoom` come from the camera; `stream.up`, `stream.bitrate`, `stream.viewers` from the gateway\'s video relay.',
    ),
};

export const pointSchema = z.object(pointShape).strict();

export type OnvifPointFields = z.output<typeof pointSchema>;

/** The source of a point: its `source`, else its id when that names a source. */
export function sourceOf(point: { id: string; spec: { source?: PointSource | undefined } }): PointSource | undefined {
  if (point.spec.source !== undefined) return point.spec.source;
  return (SOURCES as readonly string[]).includes(point.id) ? (point.id as PointSource) : undefined;
}
