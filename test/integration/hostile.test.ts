/**
 * The check process against a hostile topic: a deterministic corpus (test/harness/hostileCorpus)
 * of clean Insights messages mixed with every kind of bad input, produced to a fresh topic of
 * the shared broker, consumed by the real daemon, received on a real DogStatsD Unix socket
 * (exact accounting). One run, then one assertion per property so that a failure names what
 * broke:
 * - the process neither crashes nor stalls, and exits 0 on SIGTERM;
 * - every line that leaves it parses under an independent DogStatsD grammar (valid names, tags);
 * - every accepted message is emitted exactly once, with exactly its metric names and values,
 *   and tags derived from its fields; nothing of a rejected message ever leaves;
 * - the forwarder's counters (rejected by reason, dropped by reason, consumed, emitted) equal
 *   what the corpus says they must be.
 */
import { Kafka, Message } from 'kafkajs';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { datagramLines, parseLine } from '../harness/dogstatsdGrammar';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { AcceptedExpectation, CorpusMessage, DROP_REASONS, generateHostileCorpus, LooseTag, REJECT_REASONS } from '../harness/hostileCorpus';
import { createTopic, testKafka, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';

const PARTITIONS = 4;
const MAX_UDS_DATAGRAM = 8192;
const FORWARDER = 'algorithmia.forwarder.';

afterAll(() => cleanUpCheckProcesses());

/** Produces in corpus order (one algorithm = one key = one partition, in order), in requests of at most ~3 MiB. */
async function produceCorpus(bootstrap: string, topic: string, messages: CorpusMessage[]): Promise<void> {
  const kafka: Kafka = testKafka(bootstrap, 'hostile-producer');
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    let batch: Message[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
      bytes = 0;
    };
    for (const m of messages) {
      const size = m.value?.length ?? 0;
      if (batch.length >= 500 || (bytes + size > 3 * 1024 * 1024 && batch.length > 0)) await flush();
      batch.push({ key: m.key, value: m.value });
      bytes += size;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
}

/** name, values (several when packed, DogStatsD 1.1) and tags of a metric line without judging it (the grammar judges). */
function looseMetric(line: string): { name: string; values: string[]; tags: string[] } | undefined {
  const bar = line.indexOf('|');
  const colon = line.indexOf(':');
  if (bar < 0 || colon < 0 || colon > bar) return undefined;
  const tagsField = line
    .slice(bar + 1)
    .split('|')
    .find((f) => f.startsWith('#'));
  return { name: line.slice(0, colon), values: line.slice(colon + 1, bar).split(':'), tags: tagsField ? tagsField.slice(1).split(',') : [] };
}

const tagMap = (tags: string[]): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const t of tags) {
    const i = t.indexOf(':');
    const k = i < 0 ? t : t.slice(0, i);
    m.set(k, [...(m.get(k) ?? []), i < 0 ? '' : t.slice(i + 1)]);
  }
  return m;
};

const KEPT = /^[A-Za-z0-9_\-:./]$/u;

/** A tag value derived from `expected` by DECISIONS: characters kept or replaced by `_`, truncated only to fit 200. */
function looseTagError(key: string, expected: LooseTag, actual: string[] | undefined): string | undefined {
  if (expected === null) return actual === undefined ? undefined : `unexpected ${key} tag ${JSON.stringify(actual)}`;
  if (actual === undefined) return `missing ${key} tag`;
  if (actual.length !== 1) return `${key} tag ${actual.length} times`;
  const w = Array.from(actual[0]);
  if ('overflow' in expected) return actual[0] === 'overflow' ? undefined : `${key} should be overflow, is ${JSON.stringify(actual[0])}`;
  const r = Array.from(expected.raw);
  const what = `${key}: ${JSON.stringify(expected.raw.slice(0, 60))} -> ${JSON.stringify(actual[0].slice(0, 60))}`;
  if (w.length > r.length) return `${what}: longer than the raw value`;
  for (let i = 0; i < w.length; i++) {
    if (w[i] !== r[i] && w[i] !== '_') return `${what}: character ${i} neither kept nor '_'`;
    if (KEPT.test(r[i]) && w[i] !== r[i]) return `${what}: allowed character ${i} not kept`;
  }
  const full = key.length + 1 + r.length;
  if (full <= 200 && w.length !== r.length) return `${what}: truncated though it fits`;
  if (full > 200 && key.length + 1 + w.length < 199) return `${what}: truncated more than needed (${key.length + 1 + w.length})`;
  return undefined;
}

describe('hostile topic', () => {
  const corpus = generateHostileCorpus({ seed: 20261125, size: 3000 });
  const N = corpus.messages.length;
  const accepted = corpus.messages.filter((m) => m.expected.outcome === 'accepted');
  const byRequestTag = new Map<string, CorpusMessage>();
  for (const m of corpus.messages) if (m.expected.requestTag) byRequestTag.set(m.expected.requestTag, m);

  let topic = '';
  let lines: string[] = [];
  let datagrams: Buffer[] = [];
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let aliveAtStop = false;
  let logs: Array<Record<string, unknown>> = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const t0 = Date.now();
    const { bootstrap } = sharedBroker();
    topic = uniqueName('hostile');
    await createTopic(bootstrap, topic, PARTITIONS);
    await produceCorpus(bootstrap, topic, corpus.messages);
    timings.produceMs = Date.now() - t0;

    const dsd = await DogStatsDListener.uds();
    // Keep every raw datagram too (byte size, UTF-8, empty lines), besides the listener's lines.
    const raw: Buffer[] = [];
    const receiver = dsd as unknown as { receive(buf: Buffer): void };
    const receive = receiver.receive.bind(dsd);
    receiver.receive = (buf: Buffer) => {
      raw.push(Buffer.from(buf));
      receive(buf);
    };
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url, extra: { tag_request_id: true } }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    const t1 = Date.now();
    try {
      // Done when the forwarder says it consumed the whole topic (it counts a chunk once it is handed off).
      let scanned = 0;
      let consumed = 0;
      await dsd.waitFor(
        (ls) => {
          for (; scanned < ls.length; scanned++) {
            const l = ls[scanned];
            if (l.startsWith(`${FORWARDER}messages.consumed:`) && l.includes(`topic:${topic}`)) consumed += Number(l.slice(l.indexOf(':') + 1, l.indexOf('|')));
          }
          return consumed >= N || check.proc.exitCode !== null;
        },
        100_000,
        `messages.consumed to reach ${N}`,
      );
      timings.consumeMs = Date.now() - t1;
      aliveAtStop = check.proc.exitCode === null && check.proc.signalCode === null;
      check.kill('SIGTERM');
      exit = await check.exited;
      timings.stopMs = Date.now() - t1 - timings.consumeMs;
      await new Promise((r) => setTimeout(r, 500)); // the final telemetry datagrams still in the socket queue
    } finally {
      await check.stop();
      await dsd.close();
      lines = [...dsd.lines];
      datagrams = raw;
      logs = check.logs();
    }
    timings.totalMs = Date.now() - t0;
  }, 150_000);

  const metricLines = () => lines.filter((l) => !l.startsWith('_sc|'));
  const algorithmLines = () =>
    metricLines()
      .map((l) => ({ line: l, m: looseMetric(l) }))
      .filter((x) => x.m && x.m.name.startsWith('algorithmia.') && !x.m.name.startsWith(FORWARDER));

  /** Sum of a forwarder count of this topic by the value of one tag. */
  const telemetryBy = (suffix: string, tagKey?: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const l of metricLines()) {
      if (!l.startsWith(`${FORWARDER}${suffix}:`)) continue;
      const p = parseLine(l);
      if (!p.ok || p.line.kind !== 'metric' || !p.line.tags.includes(`topic:${topic}`)) continue;
      const k = tagKey ? (tagMap(p.line.tags).get(tagKey)?.[0] ?? '(none)') : 'all';
      out[k] = (out[k] ?? 0) + p.line.values.reduce((a, b) => a + b, 0);
    }
    return out;
  };

  it('generates the same corpus for the same seed, with every hostile kind', () => {
    const again = generateHostileCorpus({ seed: 20261125, size: 3000 });
    expect(again.messages.map((m) => m.value?.toString('base64'))).toEqual(corpus.messages.map((m) => m.value?.toString('base64')));
    expect(corpus.countsByKind.clean / N).toBeGreaterThan(0.55);
    for (const r of REJECT_REASONS) expect(corpus.rejected[r]).toBeGreaterThan(0);
    for (const r of DROP_REASONS) expect(corpus.drops[r]).toBeGreaterThan(0);
    expect(Math.max(...corpus.messages.map((m) => m.value?.length ?? 0))).toBeGreaterThanOrEqual(4 * 1024 * 1024);
  });

  it('neither crashes nor stalls, and exits 0 on SIGTERM', () => {
    process.stderr.write(
      `[hostile] corpus ${N} messages (${(corpus.totalBytes / 1048576).toFixed(1)} MiB): ${JSON.stringify(corpus.countsByKind)}\n` +
        `[hostile] timings ${JSON.stringify(timings)}; ${lines.length} lines in ${datagrams.length} datagrams\n`,
    );
    expect(aliveAtStop).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(logs.filter((e) => e.level === 'error')).toEqual([]);
    expect(logs.some((e) => e.msg === 'stopped')).toBe(true);
  });

  it('sends only datagrams that fit a Unix socket, are valid UTF-8 and have no empty line', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const problems: string[] = [];
    for (const d of datagrams) {
      if (d.length > MAX_UDS_DATAGRAM) problems.push(`datagram of ${d.length} bytes`);
      let text: string;
      try {
        text = strict.decode(d);
      } catch {
        problems.push(`invalid UTF-8 in ${JSON.stringify(d.subarray(0, 80).toString())}`);
        continue;
      }
      const { error } = datagramLines(text);
      if (error) problems.push(error);
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('sends only lines that parse under the DogStatsD grammar', () => {
    const errors = lines.map((l) => ({ l, r: parseLine(l) })).filter((x) => !x.r.ok);
    const report = errors.slice(0, 20).map((x) => `${x.r.ok ? '' : x.r.error}: ${JSON.stringify(x.l.slice(0, 200))}`);
    const byError: Record<string, number> = {};
    for (const x of errors) if (!x.r.ok) byError[x.r.error] = (byError[x.r.error] ?? 0) + 1;
    expect({ invalidLines: errors.length, byError, first: report }).toEqual({ invalidLines: 0, byError: {}, first: [] });
  });

  it('emits every accepted message exactly once, with exactly its names and values, and nothing of a rejected one', () => {
    const got = new Map<string, string[]>();
    const stray: string[] = [];
    for (const { line, m } of algorithmLines()) {
      const rt = m!.tags.find((t) => t.startsWith('request_id:'));
      const owner = rt && byRequestTag.get(rt);
      if (!owner) {
        stray.push(line);
        continue;
      }
      got.set(rt, [...(got.get(rt) ?? []), ...m!.values.map((v) => `${m!.name}=${Number(v)}`)]);
    }
    const wrong: string[] = [];
    let complete = 0;
    let duplicated = 0;
    for (const msg of corpus.messages) {
      const rt = msg.expected.requestTag;
      if (!rt) continue;
      const actual = (got.get(rt) ?? []).sort();
      if (msg.expected.outcome === 'rejected') {
        if (actual.length > 0) wrong.push(`#${msg.index} ${msg.kind}, rejected (${msg.expected.reason}), emitted ${actual.join(' ')}`);
        continue;
      }
      const expected = msg.expected.values.map((v) => `${v.name}=${v.value}`).sort();
      if (actual.join('\n') === expected.join('\n')) complete++;
      else {
        if (actual.length > expected.length) duplicated++;
        const missing = expected.filter((e) => !actual.includes(e));
        const extra = actual.filter((a) => !expected.includes(a));
        wrong.push(`#${msg.index} ${msg.kind}: ${actual.length}/${expected.length} lines; missing ${missing.join(' ').slice(0, 300)}; extra ${extra.join(' ').slice(0, 300)}`);
      }
    }
    process.stderr.write(`[hostile] accepted ${accepted.length}, fully emitted ${complete}, with duplicates ${duplicated}, wrong ${wrong.length}, stray lines ${stray.length}\n`);
    expect({ wrong: wrong.slice(0, 15), wrongCount: wrong.length, stray: stray.slice(0, 10) }).toEqual({ wrong: [], wrongCount: 0, stray: [] });
    expect(complete).toBe(accepted.length);
  });

  it('tags every point from its own message: exact for clean values, sanitised and truncated for hostile ones', () => {
    const problems: string[] = [];
    for (const { line, m } of algorithmLines()) {
      const tags = tagMap(m!.tags);
      const msg = byRequestTag.get(`request_id:${tags.get('request_id')?.[0]}`);
      if (!msg || msg.expected.outcome !== 'accepted') continue; // reported by the emission test
      const e = msg.expected as AcceptedExpectation;
      if ('exact' in e.tags) {
        const actual = [...m!.tags].sort();
        if (actual.join(',') !== e.tags.exact.join(',')) problems.push(`#${msg.index} ${msg.kind}: ${actual.join(',')} != ${e.tags.exact.join(',')}`);
        continue;
      }
      const keys = [...tags.keys()].filter((k) => !['algorithm_name', 'algorithm_version', 'algorithm_owner', 'request_id'].includes(k));
      if (keys.length > 0) problems.push(`#${msg.index} ${msg.kind}: unexpected tag keys ${keys.join(',')} in ${JSON.stringify(line)}`);
      for (const [key, exp] of Object.entries(e.tags.loose) as Array<[string, LooseTag]>) {
        const err = looseTagError(key, exp, tags.get(key));
        if (err) problems.push(`#${msg.index} ${msg.kind}: ${err}`);
      }
    }
    expect({ count: problems.length, first: [...new Set(problems)].slice(0, 15) }).toEqual({ count: 0, first: [] });
  });

  it('counts every rejected message by reason, exactly', () => {
    const observed = telemetryBy('messages.rejected', 'reason');
    const expected = Object.fromEntries(REJECT_REASONS.filter((r) => corpus.rejected[r] > 0).map((r) => [r, corpus.rejected[r]]));
    process.stderr.write(`[hostile] rejected observed ${JSON.stringify(observed)} expected ${JSON.stringify(expected)}\n`);
    expect(observed).toEqual(expected);
  });

  it('counts every dropped value by reason, exactly', () => {
    const observed = telemetryBy('values.dropped', 'reason');
    const expected = Object.fromEntries(DROP_REASONS.filter((r) => corpus.drops[r] > 0).map((r) => [r, corpus.drops[r]]));
    process.stderr.write(`[hostile] dropped observed ${JSON.stringify(observed)} expected ${JSON.stringify(expected)}\n`);
    expect(observed).toEqual(expected);
  });

  it('counts every consumed message and every emitted value, with no send error (so no re-sent batch)', () => {
    const observed = {
      consumed: telemetryBy('messages.consumed').all ?? 0,
      emitted: telemetryBy('metrics.emitted').all ?? 0,
      sendErrors: telemetryBy('dogstatsd.send_errors').all ?? 0,
      algorithmValues: algorithmLines().reduce((a, { m }) => a + m!.values.length, 0),
    };
    process.stderr.write(`[hostile] counters ${JSON.stringify(observed)}; corpus values ${corpus.values}\n`);
    expect(observed).toEqual({ consumed: N, emitted: corpus.values, sendErrors: 0, algorithmValues: corpus.values });
  });
});
