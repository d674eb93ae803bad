/**
 * The gateway's side of one poll: a ReadBatch the driver fills by point index. Once the poll is
 * settled the batch is closed, so a driver that answers after the gateway gave up cannot change
 * readings that were already journaled.
 */
import { SensegateError, type PointRef, type Quality, type ReadBatch, type ReadPlan, type Value } from '@sensegate/sdk';

export class PollBatch<P = Record<string, unknown>> implements ReadBatch<P> {
  readonly values: Value[];
  readonly qualities: Quality[];
  readonly statuses: Array<string | undefined>;
  readonly sourceTs: Array<number | undefined>;
  readonly errors: Array<SensegateError | undefined>;
  private readonly filled: Uint8Array;
  private closed = false;

  constructor(
    readonly points: readonly PointRef<P>[],
    readonly plan: ReadPlan | undefined,
    readonly time: number,
    readonly signal: AbortSignal,
  ) {
    const n = points.length;
    this.values = new Array<Value>(n).fill(null);
    this.qualities = new Array<Quality>(n).fill('bad');
    this.statuses = new Array<string | undefined>(n);
    this.sourceTs = new Array<number | undefined>(n);
    this.errors = new Array<SensegateError | undefined>(n);
    this.filled = new Uint8Array(n);
  }

  good(index: number, value: Value, sourceTs?: number): void {
    this.set(index, value, 'good', undefined, sourceTs);
  }

  set(index: number, value: Value, quality: Quality, status?: string, sourceTs?: number): void {
    if (this.closed || index < 0 || index >= this.filled.length) return;
    this.values[index] = value;
    this.qualities[index] = quality;
    this.statuses[index] = status;
    this.sourceTs[index] = sourceTs;
    this.errors[index] = undefined;
    this.filled[index] = 1;
  }

  fail(index: number, error: SensegateError): void {
    if (this.closed || index < 0 || index >= this.filled.length) return;
    this.values[index] = null;
    this.qualities[index] = 'bad';
    this.statuses[index] = error.status ?? error.code;
    this.sourceTs[index] = undefined;
    this.errors[index] = error;
    this.filled[index] = 1;
  }

  /**
   * Fails every point the driver did not set, then freezes the batch. The error is made only when
   * some point needs it: building an Error (its stack) on every poll would be a cost per poll.
   */
  close(unsetError: () => SensegateError): void {
    let error: SensegateError | undefined;
    for (let i = 0; i < this.filled.length; i++) if (!this.filled[i]) this.fail(i, (error ??= unsetError()));
    this.closed = true;
  }
}
