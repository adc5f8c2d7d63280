/**
 * The worker-thread encoding against the inline one: the same chunks give the same datagrams,
 * counts and drift state (hostile corpus), and a worker that dies fails only the chunks in
 * flight (the drift state, on the main thread, survives it).
 * Runs the built worker script (dist/), as the daemon does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '../../src/log/logger';
import { createChunkEncoder, EncodedChunk, EncoderSetup } from '../../src/encode/chunkEncoder';
import { InlineEncoding } from '../../src/encode/chunkEncoding';
import { MonitorFeed } from '../../src/encode/monitorFeed';
import type { MonitorOptions } from '../../src/monitor';
import { WorkerEncoding } from '../../src/encode/workerEncoding';
import { generateHostileCorpus } from '../harness/hostileCorpus';

const ROOT = resolve(__dirname, '../..');
const WORKER_SCRIPT = join(ROOT, 'dist/src/encode/encoderWorker.js');
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

const DRIFT: MonitorOptions = { psi: true, fieldHealth: true, baselines: ['trailing', 'previous_version'], minSamples: 1, maxSeries: 1000 };

function setup(maxMessageBytes: number, drift?: MonitorOptions): EncoderSetup {
  return {
    ...(drift ? { monitor: drift } : {}),
    mapping: {
      prefix: 'algorithmia.',
      defaultType: 'distribution',
      types: { risk_count: 'count', gauge_x: 'gauge' },
      tagRequestId: false,
      tagSessionId: false,
      useMessageTime: true,
      allow: [],
      deny: ['^debug_'],
      staticTags: ['env:test'],
      maxAgeSeconds: 3600,
    },
    limits: { maxAlgorithms: 50, maxNamesPerAlgorithm: 30, maxVersionsPerAlgorithm: 5, windowMs: 3_600_000 },
    encoder: { maxMessageBytes, maxDatagramBytes: 1432, lineSuffix: '', packValues: true },
  };
}

describe('chunk encoding in a worker thread', () => {
  it.each([
    ['model drift off', undefined],
    ['model drift on', DRIFT],
  ])('gives exactly what inline encoding gives, chunk by chunk, with datagram buffers recycled (%s)', async (_name, drift) => {
    const corpus = generateHostileCorpus({ seed: 20261125, size: 1500 });
    const maxMessageBytes = 256 * 1024;
    const feed = () => (drift ? MonitorFeed.create(drift) : undefined);
    // the reference never gets a buffer back; the two others reuse theirs
    const reference = new InlineEncoding(createChunkEncoder(setup(maxMessageBytes, drift)));
    const inline = new InlineEncoding(createChunkEncoder(setup(maxMessageBytes, drift)), feed());
    const worker = new WorkerEncoding(setup(maxMessageBytes, drift), silentLogger, WORKER_SCRIPT, feed());
    try {
      const values = corpus.messages.map((m) => m.value);
      let datagrams = 0;
      let rejected = 0;
      for (let start = 0; start < values.length; start += 200) {
        const chunk = values.slice(start, start + 200);
        const [expected, a, b] = await Promise.all([reference.encode(chunk, NOW), inline.encode(chunk, NOW), worker.encode(chunk, NOW)]);
        const text = (c: EncodedChunk) => ({ ...c, datagrams: c.datagrams.map(String) });
        expect(text(a)).toEqual(text(expected));
        expect(text(b)).toEqual(text(expected));
        datagrams += a.datagrams.length;
        rejected += a.rejected.length;
        inline.release(a);
        worker.release(b);
        // given back: the worker's buffer moved to it (transferred), nothing of it is readable here
        if (b.datagrams.length > 0) expect(b.datagrams[0].length).toBe(0);
      }
      // the comparison covered real output and real rejects
      expect(datagrams).toBeGreaterThan(50);
      expect(rejected).toBeGreaterThan(10);
      if (drift) {
        // the drift state fed from the worker's chunks is the one fed inline, byte for byte
        const [fromWorker, fromInline] = [await worker.monitorSnapshot(), await inline.monitorSnapshot()];
        expect(fromInline?.length).toBeGreaterThan(1000);
        expect(Buffer.from(fromWorker ?? []).equals(Buffer.from(fromInline ?? []))).toBe(true);
      } else {
        expect(await worker.monitorSnapshot()).toBeUndefined();
      }
    } finally {
      await worker.close();
    }
  });

  it('a worker that dies fails the chunk in flight; the next chunk gets a new worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'encoder-crash-'));
    // The real worker, plus a listener that kills the thread on a marked request (nowMs 13).
    const script = join(dir, 'crashingWorker.js');
    writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');\n` +
        `parentPort.on('message', (req) => { if (req.nowMs === 13) process.exit(3); });\n` +
        `require(${JSON.stringify(WORKER_SCRIPT)});\n`,
    );
    const encoding = new WorkerEncoding(setup(25_600, DRIFT), silentLogger, script, MonitorFeed.create(DRIFT));
    const message = [Buffer.from(JSON.stringify({ algorithm_name: 'a', duration_milliseconds: 5 }))];
    try {
      await encoding.encode([Buffer.from(JSON.stringify({ algorithm_name: 'a', x: 1 }))], NOW);
      await expect(encoding.encode(message, 13)).rejects.toThrow(/exited with code 3/);
      const after = await encoding.encode(message, NOW);
      expect(after.datagrams.map(String)).toEqual(['algorithmia.duration_milliseconds:5|d|#algorithm_name:a,env:test']);
      // model drift lives on the main thread: what came before the crash is still tracked
      await encoding.encode([Buffer.from(JSON.stringify({ algorithm_name: 'a', y: 2 }))], NOW);
      expect((await encoding.monitorReport(NOW))?.trackedSeries).toBe(2);
    } finally {
      await encoding.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(encoding.encode(message, NOW)).rejects.toThrow(/closed/);
  });
});
