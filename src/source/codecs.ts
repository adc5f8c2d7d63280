/**
 * Kafka compression codecs for kafkajs (gzip is built in). All three install without a
 * compiler: snappy is pure JS, lz4-napi ships prebuilt binaries, fzstd is pure JS. A consumer
 * only decompresses; compress is provided where the library has it (tests, the demo).
 */
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { decompress as zstdDecompress } from 'fzstd';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { InsightsError } from '../errors';

let registered = false;

interface Encoder {
  buffer: Buffer;
}

export function registerCodecs(): void {
  if (registered) return;
  registered = true;
  const snappyCodec = require('kafkajs-snappy') as () => unknown;
  CompressionCodecs[CompressionTypes.Snappy] = snappyCodec as never;
  CompressionCodecs[CompressionTypes.LZ4] = (() => ({
    async compress(encoder: Encoder) {
      return compressFrameSync(encoder.buffer);
    },
    async decompress(buffer: Buffer) {
      return decompressFrameSync(buffer);
    },
  })) as never;
  CompressionCodecs[CompressionTypes.ZSTD] = (() => ({
    async compress() {
      throw new InsightsError('CODEC_UNAVAILABLE', 'zstd compression is not available (this client only reads zstd)');
    },
    async decompress(buffer: Buffer) {
      const out = zstdDecompress(buffer);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
  })) as never;
}
