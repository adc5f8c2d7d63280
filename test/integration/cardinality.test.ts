/**
 * The cardinality guard and the allow/deny lists, end to end (real broker -> daemon -> UDS):
 * a buggy algorithm that invents a metric name per request must not create thousands of custom
 * metrics. One process runs two instances (two topics, one partition each so the order in which
 * names are first seen is the produce order):
 * - guarded: cardinality {names 10, versions 3}, metric_denylist [^debug_];
 * - allowlisted: metric_allowlist [^duration_milliseconds$, ^risk_], metric_denylist [^risk_debug].
 * Expectations from DECISIONS: over the name cap the new name's values are dropped
 * (`cardinality`), duration_milliseconds always goes out, over the version cap values go out
 * tagged `algorithm_version:overflow` and are counted, list refusals are `denied`.
 */
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { parseLine, ParsedMetric } from '../harness/dogstatsdGrammar';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';

const FORWARDER = 'algorithmia.forwarder.';
const MAX_NAMES = 10;
const MAX_VERSIONS = 3;
const BUGGY = 2000;
const WELL_BEHAVED = 200;
const VERSIONED = 40;
const DISTINCT_VERSIONS = 8;
const ALLOWLISTED = 300;

afterAll(() => cleanUpCheckProcesses());

describe('cardinality guard and metric allow/deny lists', () => {
  const { bootstrap } = sharedBroker();
  const guardedTopic = uniqueName('card');
  const allowTopic = uniqueName('allow');
  const metrics: ParsedMetric[] = [];
  const invalid: string[] = [];
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  const guardedMessages = [
    // A buggy algorithm: a new metric name per request (and a debug value the denylist refuses).
    ...Array.from({ length: BUGGY }, (_, i) => ({
      algorithm_name: 'buggy',
      algorithm_version: '1.0',
      algorithm_owner: 'o',
      duration_milliseconds: i,
      stable_score: 0.5,
      [`req_${i}_latency`]: i,
      [`debug_${i}`]: 1,
    })),
    // Another algorithm keeps its own budget.
    ...Array.from({ length: WELL_BEHAVED }, (_, i) => ({ algorithm_name: 'well_behaved', duration_milliseconds: 10_000 + i, a: 1, b: 2, c: 3, d: 4, e: 5 })),
    // Versions over the cap.
    ...Array.from({ length: VERSIONED }, (_, i) => ({ algorithm_name: 'versioned', algorithm_version: `v${i % DISTINCT_VERSIONS}`, duration_milliseconds: 20_000 + i, score: i })),
  ];
  const allowMessages = Array.from({ length: ALLOWLISTED }, (_, i) => ({
    algorithm_name: 'allow_algo',
    duration_milliseconds: 30_000 + i,
    risk_score: i / 100,
    risk_debug_trace: 1,
    accuracy: 0.9,
    confidence: 0.8,
  }));

  beforeAll(async () => {
    await createTopic(bootstrap, guardedTopic, 1);
    await createTopic(bootstrap, allowTopic, 1);
    await produce(bootstrap, guardedTopic, guardedMessages.map((m) => ({ value: JSON.stringify(m) })));
    await produce(bootstrap, allowTopic, allowMessages.map((m) => ({ value: JSON.stringify(m) })));
    const dsd = await DogStatsDListener.uds();
    const config = testConfig({
      bootstrap,
      topic: guardedTopic,
      group: uniqueName('g'),
      dogstatsdUrl: dsd.url,
      extra: {
        cardinality: { max_metric_names_per_algorithm: MAX_NAMES, max_versions_per_algorithm: MAX_VERSIONS, window_seconds: 3600 },
        metric_denylist: ['^debug_'],
      },
    }) as { instances: Array<Record<string, unknown>> };
    const { cardinality: _cardinality, metric_denylist: _denylist, ...base } = config.instances[0];
    config.instances.push({
      ...base,
      topic: allowTopic,
      consumer_group: uniqueName('g'),
      metric_allowlist: ['^duration_milliseconds$', '^risk_'],
      metric_denylist: ['^risk_debug'],
    });
    const { file, dir } = writeConfig(config);
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      const consumed = (lines: string[], topic: string) =>
        lines
          .filter((l) => l.startsWith(`${FORWARDER}messages.consumed:`) && l.includes(`topic:${topic}`))
          .reduce((a, l) => a + Number(l.slice(l.indexOf(':') + 1, l.indexOf('|'))), 0);
      await dsd.waitFor(
        (lines) => (consumed(lines, guardedTopic) >= guardedMessages.length && consumed(lines, allowTopic) >= allowMessages.length) || check.proc.exitCode !== null,
        90_000,
        'both topics consumed',
      );
      check.kill('SIGTERM');
      exit = await check.exited;
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await check.stop();
      await dsd.close();
    }
    for (const l of dsd.lines) {
      const p = parseLine(l);
      if (!p.ok) invalid.push(`${p.error}: ${l}`);
      // One entry per value: a packed line (DogStatsD 1.1) carries several.
      else if (p.line.kind === 'metric') for (const v of p.line.values) metrics.push({ ...p.line, values: [v] });
    }
  }, 150_000);

  const algo = (name: string) => metrics.filter((m) => !m.name.startsWith(FORWARDER) && m.tags.includes(`algorithm_name:${name}`));
  const telemetry = (suffix: string, topic: string, reason?: string) =>
    metrics
      .filter((m) => m.name === `${FORWARDER}${suffix}` && m.tags.includes(`topic:${topic}`) && (!reason || m.tags.includes(`reason:${reason}`)))
      .reduce((a, m) => a + m.values.reduce((x, y) => x + y, 0), 0);

  it('runs cleanly and sends only valid lines', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    expect(invalid).toEqual([]);
  });

  it('lets at most max_metric_names_per_algorithm names of a buggy algorithm through, and always its duration', () => {
    const lines = algo('buggy');
    const names = new Set(lines.map((m) => m.name));
    names.delete('algorithmia.duration_milliseconds');
    expect(names.size).toBeLessThanOrEqual(MAX_NAMES);
    // First come, first served: stable_score and the first nine invented names.
    expect([...names].sort()).toEqual(['algorithmia.stable_score', ...Array.from({ length: MAX_NAMES - 1 }, (_, i) => `algorithmia.req_${i}_latency`)].sort());
    const durations = lines.filter((m) => m.name === 'algorithmia.duration_milliseconds').map((m) => m.values[0]);
    expect(durations.length).toBe(BUGGY);
    expect(new Set(durations)).toEqual(new Set(Array.from({ length: BUGGY }, (_, i) => i)));
    expect(lines.filter((m) => m.name === 'algorithmia.stable_score')).toHaveLength(BUGGY);
    expect(lines.some((m) => m.name.startsWith('algorithmia.debug_'))).toBe(false);
    process.stderr.write(`[cardinality] buggy: ${BUGGY} messages, ${names.size + 1} distinct names received, ${lines.length} lines\n`);
  });

  it('counts the refused names as cardinality drops and the denylisted ones as denied', () => {
    expect({
      cardinality: telemetry('values.dropped', guardedTopic, 'cardinality'),
      denied: telemetry('values.dropped', guardedTopic, 'denied'),
      emitted: telemetry('metrics.emitted', guardedTopic),
    }).toEqual({
      cardinality: BUGGY - (MAX_NAMES - 1),
      denied: BUGGY,
      emitted: BUGGY * 2 + (MAX_NAMES - 1) + WELL_BEHAVED * 6 + VERSIONED * 2,
    });
  });

  it('keeps a separate name budget per algorithm', () => {
    const lines = algo('well_behaved');
    expect(lines).toHaveLength(WELL_BEHAVED * 6);
    expect(new Set(lines.map((m) => m.name)).size).toBe(6);
  });

  it('tags versions over max_versions_per_algorithm as overflow, still sends their values', () => {
    const lines = algo('versioned');
    expect(lines).toHaveLength(VERSIONED * 2);
    for (const m of lines) {
      const id = m.name === 'algorithmia.duration_milliseconds' ? m.values[0] - 20_000 : m.values[0];
      const v = id % DISTINCT_VERSIONS;
      expect({ id, version: m.tags.find((t) => t.startsWith('algorithm_version:')) }).toEqual({
        id,
        version: v < MAX_VERSIONS ? `algorithm_version:v${v}` : 'algorithm_version:overflow',
      });
    }
  });

  it('counts the values sent under algorithm_version:overflow (DECISIONS: "and are counted")', () => {
    const overflowMessages = Array.from({ length: VERSIONED }, (_, i) => i % DISTINCT_VERSIONS).filter((v) => v >= MAX_VERSIONS).length;
    // No name is prescribed: any forwarder count of this topic that names the overflow, counting values or messages.
    const counted = metrics
      .filter((m) => m.name.startsWith(FORWARDER) && m.tags.includes(`topic:${guardedTopic}`))
      .filter((m) => m.name.includes('overflow') || m.tags.some((t) => t.includes('overflow')))
      .reduce((a, m) => a + m.values[0], 0);
    expect([overflowMessages, overflowMessages * 2]).toContain(counted);
  });

  it('honours metric_allowlist and metric_denylist, counting refusals as denied', () => {
    const lines = algo('allow_algo');
    const byName: Record<string, number> = {};
    for (const m of lines) byName[m.name] = (byName[m.name] ?? 0) + 1;
    expect(byName).toEqual({ 'algorithmia.duration_milliseconds': ALLOWLISTED, 'algorithmia.risk_score': ALLOWLISTED });
    expect({ denied: telemetry('values.dropped', allowTopic, 'denied'), cardinality: telemetry('values.dropped', allowTopic, 'cardinality') }).toEqual({
      denied: ALLOWLISTED * 3,
      cardinality: 0,
    });
  });
});
