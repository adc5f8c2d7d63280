/** The worker thread of WorkerEncoding: one ChunkEncoder, fed chunk by chunk. */
import { parentPort, workerData } from 'node:worker_threads';
import { InsightsError } from '../errors';
import { createChunkEncoder, type EncoderSetup } from './chunkEncoder';
import { datagramBuffer, type EncodeReply, type WorkerRequest } from './chunkEncoding';

const port = parentPort;
if (!port) throw new InsightsError('ENCODER_FAILED', 'encoderWorker.js runs as a worker thread');
const encoder = createChunkEncoder(workerData as EncoderSetup);

port.on('message', (req: WorkerRequest) => {
  if ('recycle' in req) {
    encoder.recycle(req.recycle);
    return;
  }
  let reply: EncodeReply;
  try {
    const bytes = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    const chunk = encoder.encodePacked(bytes, req.lengths, req.nowMs);
    const { datagrams, ...rest } = chunk;
    // The datagrams' buffer moves to the main thread whole (transferred, not copied).
    const lengths = Int32Array.from(datagrams, (d) => d.length);
    const buffer = datagramBuffer(chunk) ?? new ArrayBuffer(0);
    const done: EncodeReply = { id: req.id, chunk: rest, datagramBytes: buffer, datagramLengths: lengths };
    port.postMessage(done, [buffer, lengths.buffer]);
    return;
  } catch (err) {
    reply = { id: req.id, error: (err as Error).message };
  }
  port.postMessage(reply);
});
