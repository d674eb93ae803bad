/** Counters of what the simulator served. Plain numbers on the hot path; a snapshot on request. */
export interface SimulatorStats {
  /** Well-formed requests received (every unit, answered or not). */
  requests: number;
  /** Requests by function code, e.g. `{ "3": 1200, "16": 4 }`. */
  byFunction: Record<string, number>;
  /** Answers sent (normal and exception). */
  responses: number;
  /** Exception answers sent, faults included. */
  exceptions: number;
  /** Requests deliberately not answered: silenced or unknown units on a bus, broadcasts. */
  unanswered: number;
  /** Frames thrown away: bad CRC, bad MBAP header, garbage on the line. */
  badFrames: number;
  /** Of which, RTU frames with a bad CRC. */
  badCrc: number;
  /** Client connections open now (TCP framings). */
  clients: number;
  /** Client connections accepted since start. */
  connections: number;
  bytesIn: number;
  bytesOut: number;
}

export class StatCounters {
  requests = 0;
  readonly byFunction = new Float64Array(256);
  responses = 0;
  exceptions = 0;
  unanswered = 0;
  badFrames = 0;
  badCrc = 0;
  clients = 0;
  connections = 0;
  bytesIn = 0;
  bytesOut = 0;

  snapshot(): SimulatorStats {
    const byFunction: Record<string, number> = {};
    this.byFunction.forEach((n, fc) => {
      if (n > 0) byFunction[String(fc)] = n;
    });
    return {
      requests: this.requests,
      byFunction,
      responses: this.responses,
      exceptions: this.exceptions,
      unanswered: this.unanswered,
      badFrames: this.badFrames,
      badCrc: this.badCrc,
      clients: this.clients,
      connections: this.connections,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
  }
}
