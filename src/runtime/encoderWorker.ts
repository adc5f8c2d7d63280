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
    const all = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    const values: Array<Buffer | null> = new Array<Buffer | null>(req.lengths.length);
    let pos = 0;
    for (let i = 0; i < req.lengths.length; i++) {
      const len = req.lengths[i];
      if (len < 0) values[i] = null;
      else {
        values[i] = all.subarray(pos, pos + len);
        pos += len;
      }
    }
    reply = { id: req.id, chunk: encoder.encode(values, req.nowMs) };
  } catch (err) {
    reply = { id: req.id, error: (err as Error).message };
  }
  port.postMessage(reply);
});
