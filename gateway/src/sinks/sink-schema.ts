/**
 * A sink block's schema depends on its type: the fields every sink has (`type`, `name`, and the
 * forwarder's delivery settings) around the sink's own fields. Built once per sink type.
 */
import { identifier, type Sink } from '@sensegate/sdk';
import { z } from 'zod';
import { forwardOptionsShape, type ForwardOptions } from '../forward/options.js';

/** A validated `sinks:` block: the common fields, and the sink's own as its schema gave them. */
export type SinkConfig = { type: string; name: string; maxMessageBytes?: number } & ForwardOptions & Record<string, unknown>;

/** The default `name` of a sink: its type, without a package scope (`@acme/sink-http` is `sink-http`). */
export function defaultSinkName(type: string): string {
  return type.slice(type.lastIndexOf('/') + 1);
}

/** @param type the `type:` as written: a built-in's short name, or the sink's package name. */
export function sinkSchemaFor(sink: Sink, type: string = sink.type): z.ZodType<SinkConfig> {
  return sinkObjectSchema(sink, type) as unknown as z.ZodType<SinkConfig>;
}

/** The same schema as a zod object, for the JSON Schema's union of sink types. */
export function sinkObjectSchema(sink: Sink, type: string = sink.type) {
  return z
    .object({
      type: z.literal(type),
      name: identifier('Name of this sink in logs and metrics, and of its journal cursor; renaming it replays the whole journal.').default(
        defaultSinkName(type),
      ),
      ...sink.config.shape,
      ...forwardOptionsShape,
    })
    .strict()
    .describe(sink.description);
}
