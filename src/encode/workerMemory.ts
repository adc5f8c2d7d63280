/**
 * The encoder worker's own memory at its largest, as it reports with each chunk (Node 20 has
 * no worker.getHeapStatistics() to ask from outside). Read by the runtime's memory peaks.
 */
export interface WorkerMemory {
  /** The worker's V8 heap (total, committed). */
  heap: number;
  /** Memory its isolate holds outside the heap (array buffers among it). */
  external: number;
}

export const workerMemoryPeaks: WorkerMemory = { heap: 0, external: 0 };

export function noteWorkerMemory(m: WorkerMemory): void {
  if (m.heap > workerMemoryPeaks.heap) workerMemoryPeaks.heap = m.heap;
  if (m.external > workerMemoryPeaks.external) workerMemoryPeaks.external = m.external;
}
