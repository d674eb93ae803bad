/**
 * The process's own figures for the status: uptime, CPU (share of one core since the last look),
 * resident memory and event-loop lag. The lag comes from Node's event-loop delay histogram, reset at
 * every look, so it describes the time since the previous one.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Resolution of the event-loop delay sampler, ms; it measures its own interval too, which is taken off. */
const RESOLUTION = 10;

export interface ProcessFigures {
  pid: number;
  node: string;
  uptime: number;
  /** Share of one core used since the previous look (0.25 = a quarter of a core). */
  cpu: number;
  rss: number;
  heapUsed: number;
  /** Event-loop delay since the previous look, ms. */
  eventLoopLag: { mean: number; p99: number; max: number };
}

export class ProcessStats {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION });
  private cpu = process.cpuUsage();
  private at = performance.now();

  constructor() {
    this.delay.enable();
  }

  read(): ProcessFigures {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const used = (cpu.user - this.cpu.user + cpu.system - this.cpu.system) / 1000;
    const share = now > this.at ? used / (now - this.at) : 0;
    this.cpu = cpu;
    this.at = now;
    const sampled = this.delay.count > 0;
    const ms = (ns: number) => (sampled && Number.isFinite(ns) ? Math.max(0, Math.round(ns / 1e4) / 100 - RESOLUTION) : 0);
    const lag = { mean: ms(this.delay.mean), p99: ms(this.delay.percentile(99)), max: ms(this.delay.max) };
    this.delay.reset();
    const memory = process.memoryUsage();
    return {
      pid: process.pid,
      node: process.version,
      uptime: Math.round(process.uptime()),
      cpu: Math.round(share * 1000) / 1000,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      eventLoopLag: lag,
    };
  }

  stop(): void {
    this.delay.disable();
  }
}
