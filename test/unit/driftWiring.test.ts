/**
 * What model drift is fed (the mapper's observer and the encoder's drift time), and the state
 * file: a bad file is ignored and counted, a failed write keeps the previous file (pure unit
 * tests, real files in a temp directory).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { MessageFields } from '../../src/decode/messageFields';
import { DriftTracker } from '../../src/drift';
import { MessageScanner } from '../../src/decode/scanMessage';
import { ChunkEncoder } from '../../src/encode/chunkEncoder';
import { MonitorFeed } from '../../src/encode/monitorFeed';
import { ObservationRecorder as DriftRecorder, observationBuffers, type Observations as DriftObservations } from '../../src/encode/observationRecorder';
import { KIND_VALUE, Monitor, type MonitorOptions } from '../../src/monitor';
import { InsightsGenerator } from '../../scripts/insightsGenerator';
import { createLogger } from '../../src/log/logger';
import { CardinalityGuard } from '../../src/map/cardinalityGuard';
import { Mapper, type MappingOptions, type ValueObserver } from '../../src/map/mapRecord';
import { driftLine } from '../../src/runtime/monitorReporter';
import { MonitorStateWriter as DriftStateWriter, readMonitorState } from '../../src/runtime/monitorStateFile';
import { ForwarderTelemetry } from '../../src/telemetry/forwarderTelemetry';
import { testEncoderSetup } from '../harness/encoderConfig';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const DRIFT_ONLY: MonitorOptions = { psi: true, fieldHealth: false, baselines: ['trailing', 'previous_version'], minSamples: 500, maxSeries: 1000 };

/** What the observer saw: `name/version/owner field=value` per value. */
function observed(records: Array<Record<string, unknown>>, opts: Partial<MappingOptions> = {}, limits = { maxAlgorithms: 1000, maxNamesPerAlgorithm: 50, maxVersionsPerAlgorithm: 50, windowMs: 3_600_000 }): string[] {
  const seen: string[] = [];
  let current = '';
  const observer: ValueObserver = {
    message: (m: MessageFields) => {
      current = `${m.algorithmName}/${String(m.version)}/${String(m.owner)}`;
      return true;
    },
    value: (field, value) => void seen.push(`${current} ${field}=${value}`),
  };
  const mapper = new Mapper(
    { prefix: 'algorithmia.', defaultType: 'distribution', types: {}, tagRequestId: false, tagSessionId: false, useMessageTime: false, allow: [], deny: [], staticTags: [], maxAgeSeconds: 3600, ...opts },
    new CardinalityGuard(limits),
    observer,
  );
  const sink = { point: () => undefined, drop: () => undefined, overflow: () => undefined };
  for (const r of records) mapper.map({ algorithm_name: 'a', algorithm_version: '1', algorithm_owner: 'o', ...r } as never, NOW, sink);
  return seen;
}

describe('what model drift tracks', () => {
  it.each<[string, Array<Record<string, unknown>>, Partial<MappingOptions>, string[]]>([
    ['numbers and booleans, by the field part of their metric name', [{ risk_score: 0.2, approved: true }], {}, ['a/1/o risk_score=0.2', 'a/1/o approved=1']],
    ['never duration_milliseconds', [{ duration_milliseconds: 5, x: 1 }], {}, ['a/1/o x=1']],
    ['sanitised names: risk-score and risk_score are one series', [{ 'risk-score': 1 }, { risk_score: 2 }], {}, ['a/1/o risk_score=1', 'a/1/o risk_score=2']],
    ['not what the mapping drops: denied, reserved, bad names, non-numeric', [{ secret_x: 1, 'forwarder.x': 2, 'drift.psi': 3, '!!': 4, label: 'text', ok: 5 }], { deny: [/^secret_/] }, ['a/1/o ok=5']],
    ['not a stamped point dropped as too old', [{ time: '2026-11-30T09:00:00', g: 1, d: 2 }], { useMessageTime: true, types: { g: 'gauge' } }, ['a/1/o d=2']],
  ])('%s', (_name, records, opts, expected) => {
    expect(observed(records, opts)).toEqual(expected);
  });

  it('not values whose name or version the cardinality guard turned into overflow, nor names over the cap', () => {
    const limits = { maxAlgorithms: 1, maxNamesPerAlgorithm: 1, maxVersionsPerAlgorithm: 1, windowMs: 3_600_000 };
    const seen = observed(
      [
        { algorithm_name: 'a', algorithm_version: '1', x: 1, y: 9 },
        { algorithm_name: 'a', algorithm_version: '2', x: 2 },
        { algorithm_name: 'b', algorithm_version: '1', x: 3 },
      ],
      {},
      limits,
    );
    expect(seen).toEqual(['a/1/o x=1']);
  });
});

describe('the drift time of a message', () => {
  /** The message times the tracker is given for one chunk. */
  function times(messages: Array<Record<string, unknown>>, timestamps: number[]): number[] {
    const seen: number[] = [];
    const tracker = { begin: (_n: string, _v: string, _o: string, t: number) => (seen.push(t), {}), seriesOf: () => ({}), placement: () => ({}), seriesValueAt: () => undefined } as unknown as DriftTracker;
    const recorder = new DriftRecorder();
    const setup = testEncoderSetup();
    const mapper = new Mapper({ ...setup.mapping, allow: [], deny: [] }, new CardinalityGuard(setup.limits), recorder);
    const encoder = new ChunkEncoder(mapper, setup.encoder, new MessageScanner({ requestId: false, sessionId: false, time: true }), recorder);
    const chunk = encoder.encode(
      messages.map((m) => Buffer.from(JSON.stringify({ algorithm_name: 'a', algorithm_version: '1', x: 1, ...m }))),
      NOW,
      Float64Array.from(timestamps),
    );
    const feed = new MonitorFeed(new Monitor({ ...DRIFT_ONLY, minSamples: 1 }, { drift: tracker }));
    feed.add(chunk.observations);
    feed.flush();
    return seen;
  }

  it('is the message time when it parses and is at most 10 minutes ahead, else the Kafka timestamp, else arrival', () => {
    const kafka = NOW - 3_600_000;
    expect(
      times(
        [
          { time: '2026-11-30T11:00:00' }, // parses: used
          { time: '2026-11-30T12:10:00' }, // exactly 10 minutes ahead: used
          { time: '2026-11-30T12:10:01' }, // further ahead: the Kafka timestamp
          { time: 'yesterday' }, // does not parse: the Kafka timestamp
          {}, // none: the Kafka timestamp
          {}, // none, and no Kafka timestamp: arrival
        ],
        [kafka, kafka, kafka, kafka, kafka, NaN],
      ),
    ).toEqual([NOW - 3_600_000, NOW + 600_000, kafka, kafka, kafka, NOW]);
  });
});

describe('drift observations: recorded by the encoder, applied by the feed', () => {
  const opts: MonitorOptions = { ...DRIFT_ONLY, minSamples: 50, maxSeries: 1000 };
  /** Encodes `chunks` with `observer` beside the mapper; the recorder also goes to the encoder (timestamps). */
  function encodeAll(chunks: Buffer[][], observer: ValueObserver, recorder: DriftRecorder, onChunk: (drift: DriftObservations | undefined) => void): void {
    const setup = testEncoderSetup();
    const mapper = new Mapper({ ...setup.mapping, allow: [], deny: [] }, new CardinalityGuard(setup.limits), observer);
    const encoder = new ChunkEncoder(mapper, setup.encoder, new MessageScanner({ requestId: false, sessionId: false, time: true }), recorder);
    for (const chunk of chunks) onChunk(encoder.encode(chunk, NOW, new Float64Array(chunk.length).fill(NaN)).observations);
  }

  it.each([
    ['under the series cap', 1000, false],
    ['over the series cap', 30, false],
    ['under the series cap, field health on beside it', 1000, true],
  ])('build exactly the tracker that feeding it value by value builds (snapshot bytes, scores, untracked) %s', (_name, maxSeries, fieldHealth) => {
    const opts: MonitorOptions = { ...DRIFT_ONLY, fieldHealth, minSamples: 50, maxSeries };
    // Two hours of generated traffic in chunks of 2,000 (more values per chunk than the recorder
    // starts with room for), a version change half way, and a few messages with no numbers.
    const gen = new InsightsGenerator({ seed: 5, baseTimeMs: NOW - 2 * 3_600_000 });
    const chunks: Buffer[][] = [];
    for (let c = 0; c < 8; c++) {
      const chunk: Buffer[] = [];
      for (let i = 0; i < 2000; i++) {
        const r = gen.nextRecord();
        if (c >= 6 && r.algorithm_name === 'fraud_detector') r.algorithm_version = '2.0';
        if (i % 500 === 7) chunk.push(Buffer.from(JSON.stringify({ algorithm_name: r.algorithm_name, algorithm_version: r.algorithm_version, time: r.time, note: 'text' })));
        chunk.push(Buffer.from(JSON.stringify(r)));
        for (let k = 0; k < 3; k++) gen.nextRecord(); // spread two hours over the chunks
      }
      chunks.push(chunk);
    }

    // Direct: the tracker told of every message and value as the mapper emits them.
    const direct = new DriftTracker(opts);
    const recorderForTimes = new DriftRecorder();
    let vs: ReturnType<DriftTracker['begin']>;
    let time = 0;
    const directObserver: ValueObserver = {
      message: (m) => {
        recorderForTimes.message(m); // the same drift time as the recorder computes
        time = recorderForTimes.take()?.messageTime[0] ?? NaN;
        vs = direct.begin(m.algorithmName, m.version == null ? '' : String(m.version), m.owner == null ? '' : String(m.owner), time);
        return vs !== undefined;
      },
      value: (field, value) => {
        if (vs) direct.value(vs, time, field, value);
      },
    };
    recorderForTimes.arrivalMs = NOW;
    encodeAll(chunks, directObserver, recorderForTimes, () => undefined);

    // Recorded: observations per chunk, applied by the feed.
    const recorder = new DriftRecorder(fieldHealth);
    const feed = MonitorFeed.create(opts);
    let values = 0;
    encodeAll(chunks, recorder, recorder, (drift) => {
      values += drift?.values.length ?? 0;
      feed.add(drift);
    });
    expect(values).toBeGreaterThan(8 * 2000 * 8);

    // (equals, not toEqual: a diff of two megabyte buffers takes jest minutes)
    feed.flush();
    const [recorded, fedDirectly] = [Buffer.from(feed.monitor.drift?.snapshot() ?? []), Buffer.from(direct.snapshot())];
    expect(recorded.length).toBeGreaterThan(10_000);
    expect(recorded.equals(fedDirectly)).toBe(true);
    const report = feed.report(NOW);
    if (maxSeries > 100) expect(report.scores.length).toBeGreaterThan(20);
    expect(report.scores).toEqual(direct.report(NOW));
    expect(report.trackedSeries).toBe(direct.trackedSeries);
    expect(report.untracked).toBe(direct.takeUntracked());
    if (maxSeries < 100) expect(report.untracked).toBeGreaterThan(1000);
  });

  it('with the applied buffers given back to the recorder: the same tracker, and the buffers carry later chunks', () => {
    const gen = new InsightsGenerator({ seed: 11, baseTimeMs: NOW - 3_600_000 });
    const chunks = Array.from({ length: 12 }, (_, c) => Array.from({ length: 500 + 150 * (c % 4) }, () => gen.next()));
    // Without recycling, applied at the end.
    const plain = MonitorFeed.create(opts);
    const plainRecorder = new DriftRecorder();
    encodeAll(chunks, plainRecorder, plainRecorder, (drift) => plain.add(drift));
    // With recycling, each chunk applied (and its buffers given back) before the next is encoded.
    const recycling = MonitorFeed.create(opts);
    const recorder = new DriftRecorder();
    const givenBack = new Set<ArrayBuffer>();
    recycling.recycleTo((buffers) => {
      for (const b of buffers) givenBack.add(b);
      recorder.recycle(buffers);
    });
    let reused = 0;
    encodeAll(chunks, recorder, recorder, (drift) => {
      if (drift) for (const b of observationBuffers(drift)) if (givenBack.has(b)) reused++;
      recycling.add(drift);
      recycling.flush();
    });
    expect(reused).toBeGreaterThan(40); // most of the 5 arrays of the 11 later chunks
    expect(Buffer.from(recycling.snapshot()).equals(Buffer.from(plain.snapshot()))).toBe(true);
  });

  it('a chunk of many versions and many fields (past the dense series cache) is applied the same', () => {
    // 400 versions x 400 fields: each message a version of its own, each value a field of its own
    const versions: string[] = [];
    const fields: string[] = [];
    const n = 400;
    const messageTime = new Float64Array(n).map((_, i) => NOW - 60_000 + i);
    const o: DriftObservations = {
      versions,
      fields,
      messageVersion: Int32Array.from({ length: n }, (_, i) => i),
      messageTime,
      messageEnd: Int32Array.from({ length: n }, (_, i) => 2 * (i + 1)),
      valueField: Int32Array.from({ length: 2 * n }, (_, i) => (i * 7) % n),
      valueKind: new Uint8Array(2 * n).fill(KIND_VALUE),
      values: Float64Array.from({ length: 2 * n }, (_, i) => i / 3),
    };
    for (let i = 0; i < n; i++) versions.push('alg', `v${i}`, 'o');
    for (let i = 0; i < n; i++) fields.push(`f${i}`);
    const opts: MonitorOptions = { ...DRIFT_ONLY, baselines: ['trailing'], minSamples: 1, maxSeries: 500 };
    const direct = new DriftTracker(opts);
    for (let m = 0; m < n; m++) {
      const vs = direct.begin('alg', `v${m}`, 'o', messageTime[m]);
      for (let i = 2 * m; i < 2 * m + 2; i++) if (vs) direct.value(vs, messageTime[m], fields[o.valueField[i]], o.values[i]);
    }
    const feed = MonitorFeed.create(opts);
    feed.add(o);
    feed.flush();
    expect(Buffer.from(feed.monitor.drift?.snapshot() ?? []).equals(Buffer.from(direct.snapshot()))).toBe(true);
    const report = feed.report(NOW);
    expect(report.trackedSeries).toBe(500);
    expect(report.untracked).toBe(2 * n - 500);
    expect(report.untracked).toBe(direct.takeUntracked());
  });

  it('a failure while applying reaches the next report, not the event loop', async () => {
    const tracker = new DriftTracker(opts);
    const feed = new MonitorFeed(new Monitor(opts, { drift: tracker }));
    const recorder = new DriftRecorder();
    encodeAll([[Buffer.from(JSON.stringify({ algorithm_name: 'a', x: 1 }))]], recorder, recorder, (drift) => feed.add(drift));
    jest.spyOn(tracker, 'begin').mockImplementationOnce(() => {
      throw new Error('tracker broke');
    });
    await new Promise((resolve) => setImmediate(resolve)); // the feed's own turn: applies, keeps the error
    expect(() => feed.report(NOW)).toThrow('tracker broke');
    expect(feed.report(NOW).trackedSeries).toBe(0); // thrown once; the tracker still answers
  });
});

describe('drift gauges', () => {
  it('carry the algorithm tags, field, baseline and baseline version, sanitised, never stamped', () => {
    const line = driftLine({ algorithmName: 'credit|card', version: '2.0', owner: 'ml team', field: 'risk_score', baseline: 'previous_version', baselineVersion: '1.0', psi: 0.3125 }, ['env:prod']);
    expect(line).toBe('algorithmia.drift.psi:0.3125|g|#algorithm_name:credit_card,algorithm_version:2.0,algorithm_owner:ml_team,field:risk_score,baseline:previous_version,baseline_version:1.0,env:prod');
  });
});

describe('the drift state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aik-drift-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opts: MonitorOptions = { ...DRIFT_ONLY, fieldHealth: true, minSamples: 500, maxSeries: 1000 };

  function capture() {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    return { log: createLogger({ level: 'info', format: 'json', stream }), lines };
  }
  const errorsOf = (t: ForwarderTelemetry) => t.drainLines().filter((l) => l.startsWith('algorithmia.forwarder.errors:'));

  function snapshotWithData(): Uint8Array {
    const tracker = new DriftTracker(opts);
    for (let i = 0; i < 100; i++) tracker.observe('a', '1', 'o', NOW - i * 1000, 'x', i);
    return tracker.snapshot();
  }

  it('missing: starts empty, no error counted', () => {
    const telemetry = new ForwarderTelemetry('topic:t');
    const { log, lines } = capture();
    expect(readMonitorState(join(dir, 'none.state'), opts, log, telemetry)).toBeUndefined();
    expect(errorsOf(telemetry)).toEqual([]);
    expect(lines.join('')).toContain('no drift state file yet');
  });

  it.each([
    ['truncated', 'truncated', (b: Uint8Array) => b.subarray(0, b.length - 7)],
    ['corrupt', 'corrupt', (b: Uint8Array) => Buffer.from(b).fill(0x41, 20, 30)],
    ['of an unknown version', 'unknown_version', (b: Uint8Array) => Buffer.from(b).fill(0x7f, 4, 5)],
    ['empty', 'truncated', () => new Uint8Array(0)],
  ])('%s: logged once, counted, ignored', (_name, reason, spoil) => {
    const file = join(dir, `bad-${_name}.state`);
    writeFileSync(file, spoil(snapshotWithData()));
    const telemetry = new ForwarderTelemetry('topic:t');
    const { log, lines } = capture();
    expect(readMonitorState(file, opts, log, telemetry)).toBeUndefined();
    expect(errorsOf(telemetry)).toEqual(['algorithmia.forwarder.errors:1|c|#topic:t,stage:drift_state,error_code:drift_state_unreadable']);
    expect(lines.filter((l) => l.includes(`drift state file ignored (${reason})`))).toHaveLength(1);
  });

  it('a good file is read back whole', () => {
    const file = join(dir, 'good.state');
    const bytes = snapshotWithData();
    writeFileSync(file, bytes);
    const { log } = capture();
    expect(Buffer.from(readMonitorState(file, opts, log, new ForwarderTelemetry('topic:t')) as Uint8Array)).toEqual(Buffer.from(bytes));
  });

  it('a failed write is logged once, counted each time, and leaves the previous file as it was', async () => {
    const file = join(dir, 'kept.state');
    const telemetry = new ForwarderTelemetry('topic:t');
    const { log, lines } = capture();
    const writer = new DriftStateWriter(file, log, telemetry);
    await writer.write(Buffer.from('first'));
    expect(readFileSync(file, 'utf8')).toBe('first');
    // The temporary file's path taken by a directory: the write fails before the rename.
    mkdirSync(`${file}.${process.pid}.tmp`);
    await writer.write(Buffer.from('second'));
    await writer.write(Buffer.from('third'));
    expect(readFileSync(file, 'utf8')).toBe('first');
    expect(errorsOf(telemetry)).toEqual(['algorithmia.forwarder.errors:2|c|#topic:t,stage:drift_state,error_code:drift_state_write_failed']);
    expect(lines.filter((l) => l.includes('cannot write the drift state file'))).toHaveLength(1);
  });
});
