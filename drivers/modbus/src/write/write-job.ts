/** A write (or the read half of a read-modify-write) as a request job with a promise. */
import type { SensegateError } from '@sensegate/sdk';
import { RequestJob, type FunctionCode, type WritePayload } from '../transport/request-job.js';

export class PromisedJob extends RequestJob {
  readonly promise: Promise<Buffer | undefined>;
  private resolve!: (data: Buffer | undefined) => void;
  private reject!: (err: SensegateError) => void;

  constructor(
    device: string,
    unitId: number,
    functionCode: FunctionCode,
    address: number,
    count: number,
    timeout: number,
    label: string,
    private readonly value: WritePayload,
  ) {
    super(device, unitId, functionCode, address, count, timeout, label, undefined);
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  override payload(): WritePayload {
    return this.value;
  }

  protected settle(error: SensegateError | undefined, data: Buffer | undefined): void {
    if (error) this.reject(error);
    else this.resolve(data);
  }
}
