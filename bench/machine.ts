import * as os from "node:os";

/**
 * What every benchmark records about the machine it ran on: Node, CPUs, the date, the run's length
 * and the 1-minute load average (at the start, mean, max). The machines are shared, so each result
 * file states the load it was measured under and compares ratios within one run.
 */

export const round1 = (n: number): number => Math.round(n * 10) / 10;

const load1m = (): number => os.loadavg()[0]!;

/**
 * Samples the 1-minute load average: once when created, every `intervalMs` when given (a timer
 * cannot fire while a benchmark runs child processes synchronously: call sample() between them),
 * and on sample().
 */
export class LoadSampler {
  readonly start = round1(load1m());
  readonly samples: number[] = [load1m()];
  private readonly timer?: NodeJS.Timeout;

  constructor(intervalMs?: number) {
    if (intervalMs) this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    this.samples.push(load1m());
  }

  /** Stops the timer and takes a last sample. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  summary(): { atStart: number; mean: number; max: number } {
    return {
      atStart: this.start,
      mean: round1(this.samples.reduce((a, b) => a + b, 0) / this.samples.length),
      max: round1(Math.max(...this.samples)),
    };
  }
}

/** The machine and the run, for a result file's `env` (stop the sampler first). */
export function machineInfo(startedMs: number, load: LoadSampler) {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    date: new Date().toISOString().slice(0, 10),
    totalSeconds: round1((Date.now() - startedMs) / 1000),
    loadAverage1m: load.summary(),
  };
}
