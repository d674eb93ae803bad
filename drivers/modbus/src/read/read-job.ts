/**
 * One planned read request in one poll: on the answer, decode each carried point straight from the
 * response bytes into the batch (compiled decoders, flat arrays, no allocation per point); on an
 * error, fail each carried point with the one error object.
 */
import { readPackedBit, SensegateError, type ReadBatch } from '@sensegate/sdk';
import type { CompiledRequest } from '../plan/read-plan.js';
import { RequestJob, type PollRound } from '../transport/request-job.js';

/** Counts the requests of one poll still outstanding, and resolves the poll when none are left. */
export interface ReadRound extends PollRound {
  pending: number;
  done(): void;
}

export class ReadJob extends RequestJob {
  constructor(
    private readonly request: CompiledRequest,
    private readonly batch: ReadBatch,
    device: string,
    timeout: number,
    private readonly readRound: ReadRound,
  ) {
    super(device, request.unitId, request.functionCode, request.address, request.count, timeout, request.label, readRound);
  }

  protected settle(error: SensegateError | undefined, data: Buffer | undefined): void {
    const { request, batch } = this;
    const indices = request.indices;
    if (!error && (data === undefined || data.length < request.responseBytes)) {
      error = new SensegateError(
        'SG_PROTOCOL_ERROR',
        `${request.label}: the answer carries ${data?.length ?? 0} data bytes, ${request.responseBytes} expected`,
        { device: this.device },
      );
    }
    if (error) {
      for (let k = 0; k < indices.length; k++) batch.fail(indices[k]!, error);
    } else {
      decodeInto(batch, request, data!, this.device);
    }
    if (--this.readRound.pending === 0) this.readRound.done();
  }
}

function decodeInto(batch: ReadBatch, request: CompiledRequest, data: Buffer, device: string): void {
  const { indices, offsets } = request;
  if (request.bits) {
    for (let k = 0; k < indices.length; k++) batch.good(indices[k]!, readPackedBit(data, offsets[k]!));
    return;
  }
  const decoders = request.decoders;
  for (let k = 0; k < indices.length; k++) {
    try {
      batch.good(indices[k]!, decoders[k]!(data, offsets[k]!));
    } catch (err) {
      batch.fail(
        indices[k]!,
        new SensegateError('SG_DECODE_ERROR', `${request.label}: cannot decode point "${request.pointIds[k]}": ${(err as Error).message}`, {
          device,
          point: request.pointIds[k]!,
          cause: err,
        }),
      );
    }
  }
}
