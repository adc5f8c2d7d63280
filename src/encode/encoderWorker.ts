/** The worker thread of WorkerEncoding: one ChunkEncoder, fed chunk by chunk. */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { InsightsError } from '../errors';
import { createChunkEncoder } from './chunkEncoder';
import { datagramBuffer } from './chunkEncoding';
import { observationBuffers } from './observationRecorder';
import type { WorkerData, WorkerReply, WorkerRequest } from './workerEncoding';

const port = parentPort;
if (!port) throw new InsightsError('ENCODER_FAILED', 'encoderWorker.js runs as a worker thread');
const data = workerData as WorkerData;
const encoder = createChunkEncoder(data.setup);

port.on('message', (req: WorkerRequest) => {
  if ('recycle' in req) {
    encoder.recycle(req.recycle);
    return;
  }
  if ('recycleObservations' in req) {
    encoder.recycleObservations(req.recycleObservations);
    return;
  }
  try {
    const bytes = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    const chunk = encoder.encodePacked(bytes, req.lengths, req.nowMs, req.timestamps);
    const { datagrams, ...rest } = chunk;
    // The datagrams' buffer and the observations move to the main thread (transferred, not copied).
    const lengths = Int32Array.from(datagrams, (d) => d.length);
    const buffer = datagramBuffer(chunk) ?? new ArrayBuffer(0);
    const heap = getHeapStatistics();
    const memory = { heap: heap.total_heap_size, external: heap.external_memory };
    const done: WorkerReply = { id: req.id, chunk: rest, datagramBytes: buffer, datagramLengths: lengths, memory };
    port.postMessage(done, [buffer, lengths.buffer, ...(rest.observations ? observationBuffers(rest.observations) : [])]);
  } catch (err) {
    port.postMessage({ id: req.id, error: (err as Error).message } satisfies WorkerReply);
  }
});
