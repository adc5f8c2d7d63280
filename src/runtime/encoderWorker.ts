/** The worker thread of WorkerEncoding: one ChunkEncoder, fed chunk by chunk. */
import { parentPort, workerData } from 'node:worker_threads';
import { createChunkEncoder, type EncoderSetup } from './chunkEncoder';
import type { EncodeReply, EncodeRequest } from './chunkEncoding';

const port = parentPort;
if (!port) throw new Error('encoderWorker.js runs as a worker thread');
const encoder = createChunkEncoder(workerData as EncoderSetup);

port.on('message', (req: EncodeRequest) => {
  let reply: EncodeReply;
  try {
    const bytes = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    reply = { id: req.id, chunk: encoder.encodePacked(bytes, req.lengths, req.nowMs) };
  } catch (err) {
    reply = { id: req.id, error: (err as Error).message };
  }
  port.postMessage(reply);
});
