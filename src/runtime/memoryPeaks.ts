/**
 * The process's memory at its largest, sampled twice a second and logged at stop: the young
 * generation (the cap the memory test checks) and where the resident set goes (the V8 heap,
 * memory outside it, array buffers among that), and the encoder worker's heap and external
 * memory as it reports them (encode/workerMemory.ts; zero without a worker).
 */
import { workerMemoryPeaks } from '../encode/workerMemory';
import { youngGenerationBytes } from '../youngGeneration';

const MB = 1048576;
const SAMPLE_MS = 500;

export class MemoryPeaks {
  private young = 0;
  private rss = 0;
  private heapTotal = 0;
  private external = 0;
  private arrayBuffers = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  sample(): void {
    this.young = Math.max(this.young, youngGenerationBytes());
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heapTotal = Math.max(this.heapTotal, m.heapTotal);
    this.external = Math.max(this.external, m.external);
    this.arrayBuffers = Math.max(this.arrayBuffers, m.arrayBuffers);
  }

  /** Stops sampling; the peaks in MB (one decimal), as log fields. */
  stop(): Record<string, number> {
    clearInterval(this.timer);
    this.sample();
    const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
    return {
      young_generation_peak_mb: mb(this.young),
      rss_peak_mb: mb(this.rss),
      main_heap_peak_mb: mb(this.heapTotal),
      external_peak_mb: mb(this.external),
      array_buffers_peak_mb: mb(this.arrayBuffers),
      worker_heap_peak_mb: mb(workerMemoryPeaks.heap),
      worker_external_peak_mb: mb(workerMemoryPeaks.external),
    };
  }
}
