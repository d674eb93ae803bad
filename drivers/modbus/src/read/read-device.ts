/**
 * One poll of a device: every request of its plan goes to the device's endpoint (concurrently on
 * Modbus TCP, in turn on an RTU bus), each answer is decoded into the batch as it arrives, and the
 * poll resolves when every request has an outcome. Never throws: failures become failed points.
 */
import { SensegateError, toSensegateError, type ReadBatch } from '@sensegate/sdk';
import type { ModbusReadPlan } from '../plan/read-plan.js';
import type { Endpoint } from '../transport/endpoint.js';
import { ReadJob, type ReadRound } from './read-job.js';

export function readWithPlan(endpoint: Endpoint, device: string, timeout: number, plan: ModbusReadPlan, batch: ReadBatch): Promise<void> {
  const requests = plan.requests;
  if (requests.length === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const signal = batch.signal;
    const onAbort = () => {
      const reason = signal.reason;
      endpoint.cancelRound(round, abortError(reason, device));
    };
    const round: ReadRound = {
      failure: undefined,
      pending: requests.length,
      done() {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
    };
    if (signal.aborted) {
      const error = abortError(signal.reason, device);
      for (let i = 0; i < requests.length; i++) new ReadJob(requests[i]!, batch, device, timeout, round).finish(error, undefined);
      return;
    }
    signal.addEventListener('abort', onAbort);
    for (let i = 0; i < requests.length; i++) endpoint.submit(new ReadJob(requests[i]!, batch, device, timeout, round));
  });
}

/** The gateway's reason for giving up (a SensegateError as it is), or a wrapped one. */
function abortError(reason: unknown, device: string): SensegateError {
  if (reason instanceof SensegateError) return reason;
  return toSensegateError(reason ?? new Error('the poll was aborted'), { device });
}
