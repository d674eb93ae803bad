/**
 * One Modbus request waiting for, or on, the wire. Reads and writes subclass it; the endpoint only
 * knows how to send it and when it is finished.
 */
import type { SensegateError } from '@sensegate/sdk';

export type FunctionCode = 1 | 2 | 3 | 4 | 5 | 6 | 15 | 16;

/** What a write sends: a coil state (FC5), a register (FC6), coil states (FC15), register bytes (FC16). */
export type WritePayload = boolean | number | boolean[] | Buffer | undefined;

/** The requests of one device in one poll: after a timeout, the rest fail at once with the same error. */
export interface PollRound {
  failure: SensegateError | undefined;
}

export abstract class RequestJob {
  /** Set by the endpoint while the request is on the wire. */
  timer: NodeJS.Timeout | undefined = undefined;
  finished = false;

  constructor(
    readonly device: string,
    readonly unitId: number,
    readonly functionCode: FunctionCode,
    readonly address: number,
    /** Registers or bits read or written. */
    readonly count: number,
    readonly timeout: number,
    /** `unit 1 FC3 holding 0..19`: where the request went, for messages. */
    readonly label: string,
    readonly round: PollRound | undefined,
  ) {}

  /** What a write sends; undefined for reads. */
  payload(): WritePayload {
    return undefined;
  }

  /** Called exactly once: the answer's data bytes (reads), or the error. */
  finish(error: SensegateError | undefined, data: Buffer | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.settle(error, data);
  }

  protected abstract settle(error: SensegateError | undefined, data: Buffer | undefined): void;
}
