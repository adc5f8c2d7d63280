/**
 * Kafka compression for the benchmark's producers and its plain kafkajs consumer (gzip is built
 * into kafkajs). Decompression uses the libraries the check uses (kafkajs-snappy, lz4-napi,
 * fzstd); zstd compression, which fzstd lacks, comes from @bokuweb/zstd-wasm (a devDependency:
 * WebAssembly shipped in the package, nothing to compile or download).
 * Registered here rather than through src/, so that the bench does not depend on src/'s layout;
 * the libraries are loaded only when registering (an uncompressed drain loads none of them).
 */
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

export type CodecName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export type CodecOption = CodecName | 'mix';
export const CODEC_OPTIONS: readonly CodecOption[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd', 'mix'];
/** `--codec mix`: the codecs of successive record batches, in this rotation. */
export const MIX_ROTATION: readonly CodecName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const TYPES: Record<CodecName, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** The codec of the `index`-th record batch. */
export function codecOfBatch(option: CodecOption, index: number): CodecName {
  return option === 'mix' ? MIX_ROTATION[index % MIX_ROTATION.length] : option;
}

export function compressionType(codec: CodecName): CompressionTypes {
  return TYPES[codec];
}

/** zstd level of the producer (librdkafka's and the Java client's default is 3). */
const ZSTD_LEVEL = 3;
let registered: Promise<void> | undefined;

export function registerBenchCodecs(): Promise<void> {
  registered ??= (async () => {
    const { compressFrameSync, decompressFrameSync } = require('lz4-napi') as typeof import('lz4-napi');
    const { decompress: fzstdDecompress } = require('fzstd') as typeof import('fzstd');
    const zstd = require('@bokuweb/zstd-wasm') as { init(): Promise<void>; compress(b: Uint8Array, level?: number): Uint8Array };
    await zstd.init();
    const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy') as never;
    CompressionCodecs[CompressionTypes.LZ4] = (() => ({
      async compress(encoder: { buffer: Buffer }) {
        return compressFrameSync(encoder.buffer);
      },
      async decompress(buffer: Buffer) {
        return decompressFrameSync(buffer);
      },
    })) as never;
    CompressionCodecs[CompressionTypes.ZSTD] = (() => ({
      async compress(encoder: { buffer: Buffer }) {
        return asBuffer(zstd.compress(encoder.buffer, ZSTD_LEVEL));
      },
      async decompress(buffer: Buffer) {
        return asBuffer(fzstdDecompress(buffer));
      },
    })) as never;
  })();
  return registered;
}
