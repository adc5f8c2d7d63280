/**
 * One chunk of message values -> the datagrams that carry its metrics, plus what was rejected,
 * dropped or tagged overflow on the way: decode -> map -> format -> pack, with no I/O and no
 * shared state outside the encoder. That is what lets it run in a worker thread (see
 * chunkEncoding.ts) while the main thread fetches from Kafka and sends datagrams.
 */
import type { MetricType } from '../config/schema';
import { decodeMessage } from '../decode/decodeMessage';
import { MessageScanner } from '../decode/scanMessage';
import { CardinalityGuard, type CardinalityLimits } from '../map/cardinalityGuard';
import type { DropReason, GuardedTag } from '../map/dropReasons';
import { Mapper, type MappingOptions, type PointSink } from '../map/mapRecord';
import { DatagramPacker } from '../sink/datagramPacker';
import { formatLine } from '../sink/lineFormat';
import { SeriesPacker } from '../sink/seriesPacker';
import type { RejectReason } from '../decode/rejectReasons';
import type { MonitorOptions } from '../monitor';
import { ObservationRecorder, type Observations } from './observationRecorder';

export interface EncoderOptions {
  maxMessageBytes: number;
  maxDatagramBytes: number;
  /** Appended to every line (origin detection), from the transport. */
  lineSuffix: string;
  /** DogStatsD 1.1 value packing (`name:v1:v2|d|#tags`); off: one line per value. */
  packValues?: boolean;
  /** The byte scanner before JSON.parse (default on; off only to compare the two in tests). */
  fastDecode?: boolean;
}

/** Everything an encoder is built from, as plain data (it crosses to a worker thread). */
export interface EncoderSetup {
  mapping: Omit<MappingOptions, 'allow' | 'deny'> & { allow: string[]; deny: string[] };
  limits: CardinalityLimits;
  encoder: EncoderOptions;
  /** Model monitoring (drift, field health); absent when every signal is off. */
  monitor?: MonitorOptions;
}

export interface RejectedMessage {
  /** Index of the message in the chunk. */
  index: number;
  reason: RejectReason;
  detail: string;
}

export interface EncodedChunk {
  /** Views back to back from the start of one buffer (DatagramPacker.take). */
  datagrams: Buffer[];
  /** Metric values carried by `datagrams`. */
  emitted: number;
  rejected: RejectedMessage[];
  dropped: Array<[DropReason, number]>;
  overflow: Array<[GuardedTag, number]>;
  /** The observation stream model monitoring is fed with (monitorFeed.ts); absent when it is off or nothing was observed. */
  observations?: Observations;
}

export function createChunkEncoder(setup: EncoderSetup): ChunkEncoder {
  const recorder = setup.monitor ? new ObservationRecorder(setup.monitor.fieldHealth) : undefined;
  const mapper = new Mapper(
    { ...setup.mapping, allow: setup.mapping.allow.map((r) => new RegExp(r)), deny: setup.mapping.deny.map((r) => new RegExp(r)) },
    new CardinalityGuard(setup.limits),
    recorder,
  );
  // Monitoring needs every message's `time`, stamped or not.
  const time = setup.mapping.useMessageTime || recorder !== undefined;
  const scanner = setup.encoder.fastDecode === false ? undefined : new MessageScanner({ requestId: setup.mapping.tagRequestId, sessionId: setup.mapping.tagSessionId, time });
  return new ChunkEncoder(mapper, setup.encoder, scanner, recorder);
}

export class ChunkEncoder implements PointSink {
  private readonly packer: DatagramPacker;
  private readonly series?: SeriesPacker;
  /** Stamped counts/gauges of one series and second, merged before sending (the Agent won't). */
  private readonly stamped = new Map<string, { line: (v: number) => string; value: number }>();
  private points = 0;
  private dropped = new Map<DropReason, number>();
  private overflowed = new Map<GuardedTag, number>();

  constructor(
    private readonly mapper: Mapper,
    private readonly opts: EncoderOptions,
    /** The fast decoder; without it every message goes through JSON.parse. */
    private readonly scanner?: MessageScanner,
    /** Model monitoring's observations, recorded by the mapper; the encoder sets each message's timestamps. */
    private readonly recorder?: ObservationRecorder,
  ) {
    this.packer = new DatagramPacker(opts.maxDatagramBytes, opts.lineSuffix);
    if (opts.packValues ?? true) this.series = new SeriesPacker();
  }

  /** One chunk, as separate values; `timestamps`: their Kafka timestamps (ms, NaN: none), for model monitoring. */
  encode(values: ReadonlyArray<Buffer | null>, nowMs: number, timestamps?: Float64Array): EncodedChunk {
    const rejected: RejectedMessage[] = [];
    if (this.recorder) this.recorder.arrivalMs = nowMs;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (this.recorder) this.recorder.recordTimestamp = timestamps ? timestamps[i] : NaN;
      this.encodeMessage(value, 0, value === null ? -1 : value.length, i, nowMs, rejected);
    }
    return this.finish(rejected);
  }

  /** One chunk, as values back to back in `bytes` with their lengths (-1: a null value). */
  encodePacked(bytes: Buffer, lengths: Int32Array, nowMs: number, timestamps?: Float64Array): EncodedChunk {
    const rejected: RejectedMessage[] = [];
    if (this.recorder) this.recorder.arrivalMs = nowMs;
    let pos = 0;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i];
      if (this.recorder) this.recorder.recordTimestamp = timestamps ? timestamps[i] : NaN;
      this.encodeMessage(length < 0 ? null : bytes, pos, length < 0 ? -1 : pos + length, i, nowMs, rejected);
      if (length > 0) pos += length;
    }
    return this.finish(rejected);
  }

  private encodeMessage(bytes: Buffer | null, start: number, end: number, index: number, nowMs: number, rejected: RejectedMessage[]): void {
    if (bytes !== null && end > start && end - start <= this.opts.maxMessageBytes && this.scanner) {
      const fields = this.scanner.scan(bytes, start, end);
      // A fairness group held as a string: the scanner does not keep it, JSON.parse does.
      if (fields && !this.mapper.wantsText(fields)) {
        this.mapper.mapFields(fields, nowMs, this);
        return;
      }
    }
    const value = bytes === null ? null : start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
    const decoded = decodeMessage(value, this.opts.maxMessageBytes);
    if (decoded.ok) this.mapper.map(decoded.record, nowMs, this, decoded.nonFinite);
    else rejected.push({ index, reason: decoded.reason, detail: decoded.detail });
  }

  /** The buffer of a chunk's datagrams, sent and no longer used: reused for a later chunk. */
  recycle(buffer: ArrayBuffer): void {
    this.packer.recycle(buffer);
  }

  /** The buffers of a chunk's observations, applied: reused for a later chunk's. */
  recycleObservations(buffers: readonly ArrayBuffer[]): void {
    this.recorder?.recycle(buffers);
  }

  private finish(rejected: RejectedMessage[]): EncodedChunk {
    let refused = 0;
    for (const entry of this.stamped.values()) {
      if (!this.packer.add(entry.line(entry.value))) refused++;
    }
    this.stamped.clear();
    if (this.series) refused += this.series.drain(this.packer);
    if (refused > 0) this.drop('too_long', refused);
    const chunk: EncodedChunk = {
      datagrams: this.packer.take(),
      emitted: this.points - refused,
      rejected,
      dropped: [...this.dropped],
      overflow: [...this.overflowed],
    };
    const observations = this.recorder?.take();
    if (observations) chunk.observations = observations;
    this.points = 0;
    this.dropped = new Map();
    this.overflowed = new Map();
    return chunk;
  }

  // PointSink: called by the mapper for each value
  point(name: string, value: number, type: MetricType, tags: string, timestampSec: number | undefined): void {
    if (timestampSec !== undefined) {
      const key = `${name}|${type}|${tags}|${timestampSec}`;
      const prev = this.stamped.get(key);
      if (prev) prev.value = type === 'count' ? prev.value + value : value;
      else this.stamped.set(key, { line: (v) => formatLine(name, v, type, tags, timestampSec), value });
      this.points++;
      return;
    }
    if (this.series) {
      this.series.add(name, value, type, tags);
      this.points++;
    } else if (this.packer.add(formatLine(name, value, type, tags))) this.points++;
    else this.drop('too_long');
  }

  drop(reason: DropReason, n = 1): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + n);
  }

  overflow(tag: GuardedTag): void {
    this.overflowed.set(tag, (this.overflowed.get(tag) ?? 0) + 1);
  }
}
