/**
 * The encoder alone (decode -> map -> pack), on one thread, without Kafka or sockets: the CPU
 * cost per message of the work the encoder thread does. `npm run bench:encode [-- N]`.
 */
import { createChunkEncoder, type EncoderSetup } from '../src/runtime/chunkEncoder';
import { InsightsGenerator } from './generator';

const messages = Number(process.argv[2] ?? 200_000);
const chunkSize = 2000;
const gen = new InsightsGenerator({ seed: 7 });
const values: Buffer[] = [];
for (let i = 0; i < messages; i++) values.push(gen.next());

const setup: EncoderSetup = {
  mapping: {
    prefix: 'algorithmia.', defaultType: 'gauge', types: {}, tagRequestId: false, tagSessionId: false,
    useMessageTime: false, allow: [], deny: [], staticTags: [], maxAgeSeconds: 3600,
  },
  limits: { maxAlgorithms: 500, maxNamesPerAlgorithm: 100, maxVersionsPerAlgorithm: 50, windowMs: 3_600_000 },
  encoder: { maxMessageBytes: 1_048_576, maxDatagramBytes: 1432, lineSuffix: '', packValues: true },
};

function run(label: string, fn: (chunk: Buffer[]) => void): void {
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let s = 0; s < values.length; s += chunkSize) fn(values.slice(s, s + chunkSize));
    const ns = Number(process.hrtime.bigint() - t0);
    if (round >= 2) console.log(`${label.padEnd(22)} ${(ns / values.length / 1000).toFixed(3)} us/msg  ${Math.round(values.length / (ns / 1e9)).toLocaleString()} msg/s`);
  }
}

const encoder = createChunkEncoder(setup);
const now = Date.now();
let sink = 0;
const dec = new TextDecoder();
run('utf8+JSON.parse', (chunk) => { for (const v of chunk) sink += Object.keys(JSON.parse(dec.decode(v)) as object).length; });
run('encode', (chunk) => { sink += encoder.encode(chunk, now).datagrams.length; });
run('encodePacked', (chunk) => {
  const lengths = Int32Array.from(chunk, (v) => v.length);
  sink += encoder.encodePacked(Buffer.concat(chunk), lengths, now).datagrams.length;
});
const slow = createChunkEncoder(setup) as unknown as { scanner?: unknown; encode: typeof encoder.encode };
slow.scanner = undefined;
run('encode (JSON.parse)', (chunk) => { sink += slow.encode(chunk, now).datagrams.length; });
console.log(`bytes/msg ${(gen.bytes / messages).toFixed(0)}  (sink ${sink})`);
