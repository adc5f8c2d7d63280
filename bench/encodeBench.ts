/**
 * The encoder alone (decode -> map -> pack), on one thread, without Kafka or sockets: the CPU
 * cost per message of what the encoder thread does, with the byte scanner and with JSON.parse,
 * and with model monitoring (drift, field health) on and off. The encoder is built as the daemon
 * builds it (encoderSetup).
 * `npm run bench:encode [-- MESSAGES]`. Prints numbers, asserts nothing. It runs with V8's default
 * young generation, larger than the encoder thread's (12 MB): compare its runs with each other.
 */
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/load';
import { createChunkEncoder, type EncoderSetup } from '../src/encode/chunkEncoder';
import { encoderSetup } from '../src/encode/encoderSetup';
import { KIND_VALUE, Monitor, type MonitorOptions, type Observations } from '../src/monitor';
import { InsightsGenerator } from '../scripts/insightsGenerator';

const messages = Number(process.argv[2] ?? 200_000);
const CHUNK = 2000;
const ROUNDS = 9;
const gen = new InsightsGenerator({ seed: 7 });
const values: Buffer[] = [];
for (let i = 0; i < messages; i++) values.push(gen.next());
const chunks: Array<{ bytes: Buffer; lengths: Int32Array }> = [];
for (let s = 0; s < values.length; s += CHUNK) {
  const part = values.slice(s, s + CHUNK);
  chunks.push({ bytes: Buffer.concat(part), lengths: Int32Array.from(part, (v) => v.length) });
}

const setup = (fastDecode: boolean, drift: boolean, fieldHealth = false): EncoderSetup => {
  const instance = {
    kafka_connect_str: ['localhost:9092'],
    topic: 'insights',
    max_message_bytes: 1_048_576,
    cardinality: { max_algorithms: 500, max_metric_names_per_algorithm: 100 },
    drift: { enabled: drift, field_health: fieldHealth },
  };
  const config = parseConfig(stringify({ init_config: null, instances: [instance] }), 'bench-conf.yaml', {});
  return encoderSetup(config.instances[0], { lineSuffix: '', fastDecode });
};

/** Median and best of the rounds after two warm-up rounds, in microseconds per message. */
function measure(label: string, fn: () => void): void {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS + 2; round++) {
    const t0 = process.hrtime.bigint();
    fn();
    const us = Number(process.hrtime.bigint() - t0) / 1000 / messages;
    if (round >= 2) times.push(us);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  console.log(`${label.padEnd(34)} ${median.toFixed(3)} us/msg (best ${times[0].toFixed(3)})  ${Math.round(1e6 / median).toLocaleString('en-US')} msg/s`);
}

const now = Date.now();
let sink = 0;
const utf8 = new TextDecoder();
console.log(`${messages.toLocaleString('en-US')} generated messages, ${(gen.bytes / messages).toFixed(0)} B and ${(gen.numericFields / messages).toFixed(1)} numeric fields each; chunks of ${CHUNK}, UDP 1432-byte datagrams`);
measure('UTF-8 decode + JSON.parse only', () => {
  for (const v of values) sink += Object.keys(JSON.parse(utf8.decode(v)) as object).length;
});
const observed: Observations[] = [];
const withMissing: Observations[] = [];
for (const [fastDecode, drift, health] of [[true, false, false], [false, false, false], [true, true, false], [true, true, true]]) {
  const encoder = createChunkEncoder(setup(fastDecode, drift, health));
  const into = health ? withMissing : observed;
  measure(`encode, ${fastDecode ? 'byte scanner' : 'JSON.parse'}${drift ? (health ? ', drift + field health' : ', drift recorded') : ''}`, () => {
    into.length = 0;
    for (const c of chunks) {
      const out = encoder.encodePacked(c.bytes, c.lengths, now);
      sink += out.datagrams.length;
      if (out.observations) into.push(out.observations);
      if (out.datagrams.length > 0) encoder.recycle(out.datagrams[0].buffer as ArrayBuffer);
    }
  });
}
// The signals' share, on the main thread: the last round's observations, into fresh signals each round.
const monitorOptions = setup(true, true).monitor;
if (monitorOptions) {
  const driftOptions: MonitorOptions = { ...monitorOptions, psi: true, fieldHealth: false };
  measure('drift tracker (main thread)', () => {
    const monitor = new Monitor(driftOptions);
    for (const o of observed) monitor.apply(o);
    sink += monitor.trackedSeries;
  });
  for (const [label, psi] of [['drift + field health (main thread)', true], ['field health only (main thread)', false]] as const) {
    measure(label, () => {
      const monitor = new Monitor({ ...monitorOptions, psi, fieldHealth: true });
      for (const o of withMissing) monitor.apply(o);
      sink += monitor.trackedSeries;
    });
  }
  // One busy version: every message of the run in one 5-minute slot, 13 fields each, as chunks
  // of observations (the sketches of a series this busy sample: see src/drift/sketch.ts).
  const slot = Math.floor(now / 300_000) * 300_000;
  const busy: Observations[] = [];
  for (let start = 0; start < messages; start += CHUNK) {
    const n = Math.min(CHUNK, messages - start);
    busy.push({
      versions: ['busy', '1', 'o'],
      fields: Array.from({ length: 13 }, (_, i) => `field_${i}`),
      messageVersion: new Int32Array(n),
      messageTime: Float64Array.from({ length: n }, (_, m) => slot + ((start + m) * 300_000) / messages),
      messageEnd: Int32Array.from({ length: n }, (_, m) => (m + 1) * 13),
      valueField: Int32Array.from({ length: n * 13 }, (_, i) => i % 13),
      valueKind: new Uint8Array(n * 13).fill(KIND_VALUE),
      values: Float64Array.from({ length: n * 13 }, (_, i) => Math.sin(start * 13 + i) * 1000),
    });
  }
  measure('drift tracker, one busy version', () => {
    const monitor = new Monitor(driftOptions);
    for (const o of busy) monitor.apply(o);
    sink += monitor.trackedSeries;
  });
}
if (sink < 0) console.log(sink); // keeps the work observable
