/**
 * Operations: self-telemetry against known numbers, consumer lag, the dead-letter topic, the
 * health endpoint. Real broker, real daemon process, real DogStatsD socket.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { auditDatagrams } from '../unit/assets/datagrams';
import { parseMetadata, type ServiceCheckEntry } from '../unit/assets/checks';
import { DURATION_FIELD, TELEMETRY_PREFIX } from '../../src/telemetry/catalogue';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { createTopic, produce, testKafka, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';
import { metricValues } from '../harness/lineValues';

afterAll(() => cleanUpCheckProcesses());

/** Sum of a count metric's values, optionally per value of one tag. */
function sumCounts(lines: string[], metric: string, byTag?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    if (!l.startsWith(`${metric}:`)) continue;
    const [head, type, tagField] = l.split('|');
    if (type !== 'c') continue;
    const value = Number(head.slice(metric.length + 1));
    const tags = (tagField ?? '').replace(/^#/, '').split(',');
    const key = byTag ? (tags.find((t) => t.startsWith(`${byTag}:`))?.slice(byTag.length + 1) ?? '') : '';
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

const durations = (lines: string[]) => metricValues(lines, 'algorithmia.duration_milliseconds');

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('operations', () => {
  const { bootstrap } = sharedBroker();

  it('telemetry counters match what was produced, and rejected messages go to the dead-letter topic with the reason', async () => {
    const topic = uniqueName('tele');
    const dlq = uniqueName('tele-dlq');
    await createTopic(bootstrap, topic, 2);
    await createTopic(bootstrap, dlq, 1);
    const valid = Array.from({ length: 200 }, (_, i) => ({ value: JSON.stringify({ algorithm_name: 'a', duration_milliseconds: i, score: 1, label: 'x' }) }));
    const invalid = [
      ...Array.from({ length: 7 }, () => ({ value: 'not json {' })),
      ...Array.from({ length: 5 }, () => ({ value: '[1,2,3]' })),
      ...Array.from({ length: 3 }, () => ({ value: JSON.stringify({ duration_milliseconds: 1 }) })),
      ...Array.from({ length: 2 }, () => ({ value: JSON.stringify({ algorithm_name: 'a', pad: 'x'.repeat(30_000) }) })),
    ];
    await produce(bootstrap, topic, [...valid, ...invalid].map((m, i) => ({ ...m, key: `k${i}` })));
    const dsd = await DogStatsDListener.uds();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url, extra: { dead_letter_topic: dlq } }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => durations(l).length >= 200, 60_000, '200 durations');
      await dsd.waitFor((l) => l.some((x) => x.startsWith('_sc|algorithmia.can_connect|0|')), 30_000, 'an OK service check');
      check.kill('SIGTERM');
      expect((await check.exited).code).toBe(0);
    } finally {
      await check.stop();
      await dsd.close();
    }
    const lines = dsd.lines;
    expect(sumCounts(lines, 'algorithmia.forwarder.messages.consumed').get('')).toBe(217);
    expect(Object.fromEntries(sumCounts(lines, 'algorithmia.forwarder.messages.rejected', 'reason'))).toEqual({
      invalid_json: 7,
      not_object: 5,
      missing_field: 3,
      too_large: 2,
    });
    expect(Object.fromEntries(sumCounts(lines, 'algorithmia.forwarder.values.dropped', 'reason'))).toEqual({ non_numeric: 200 });
    expect(sumCounts(lines, 'algorithmia.forwarder.metrics.emitted').get('')).toBe(400);
    expect(sumCounts(lines, 'algorithmia.forwarder.messages.dead_lettered').get('')).toBe(17);
    expect(sumCounts(lines, 'algorithmia.forwarder.offsets.committed').get('')).toBeGreaterThan(0);
    // telemetry carries the instance's identity
    expect(lines.find((l) => l.startsWith('algorithmia.forwarder.messages.consumed:'))).toContain(`topic:${topic}`);

    // Every metric and service check this real run emitted is documented, with a matching type.
    const root = join(__dirname, '../..');
    const { rows } = parseMetadata(readFileSync(join(root, 'metadata.csv'), 'utf8'));
    const serviceChecks = JSON.parse(readFileSync(join(root, 'assets/service_checks.json'), 'utf8')) as ServiceCheckEntry[];
    expect(lines.some((l) => l.startsWith('_sc|algorithmia.can_connect|0|'))).toBe(true);
    expect(
      auditDatagrams(lines, {
        prefix: 'algorithmia.',
        telemetryPrefix: TELEMETRY_PREFIX,
        listedFields: new Set([`algorithmia.${DURATION_FIELD}`]),
        metadata: new Map(rows.map((r) => [r.metric_name, r])),
        serviceChecks: new Map(serviceChecks.map((c) => [c.check, c])),
      }),
    ).toEqual([]);

    // The dead-letter topic holds exactly the rejected messages, each with its reason.
    const consumer = testKafka(bootstrap).consumer({ groupId: uniqueName('dlq-reader') });
    await consumer.connect();
    const seen: Array<{ reason: string; value: string }> = [];
    try {
      await consumer.subscribe({ topic: dlq, fromBeginning: true });
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push({ reason: String(message.headers?.['x-insights-reject-reason']), value: message.value?.toString() ?? '' });
            if (seen.length >= 17) resolve();
          },
        });
      });
      await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toHaveLength(17);
    const byReason = seen.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.reason]: (acc[s.reason] ?? 0) + 1 }), {});
    expect(byReason).toEqual({ invalid_json: 7, not_object: 5, missing_field: 3, too_large: 2 });
    expect(seen.filter((s) => s.reason === 'invalid_json').every((s) => s.value === 'not json {')).toBe(true);
  });

  it('reports the backlog as consumer lag after a restart, falling to zero once caught up', async () => {
    const topic = uniqueName('lag');
    const group = uniqueName('g');
    await createTopic(bootstrap, topic, 2);
    const msg = (i: number) => ({ value: JSON.stringify({ algorithm_name: 'a', duration_milliseconds: i }) });
    await produce(bootstrap, topic, Array.from({ length: 100 }, (_, i) => msg(i)));
    const dsd = await DogStatsDListener.udp();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group, dogstatsdUrl: dsd.url }));
    const first = CheckProcess.start(['run', '-c', file]);
    await dsd.waitFor((l) => durations(l).length >= 100, 60_000, 'first 100');
    first.kill('SIGTERM');
    await first.exited;

    // While it is down, a backlog builds up.
    await produce(bootstrap, topic, Array.from({ length: 500 }, (_, i) => msg(100 + i)));
    dsd.clear();
    const second = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      const lagSamples = () =>
        dsd.lines
          .filter((l) => l.startsWith('algorithmia.forwarder.consumer_lag:'))
          .map((l) => ({ value: Number(l.split('|')[0].split(':')[1]), partition: /partition:(\d+)/.exec(l)?.[1] }));
      await dsd.waitFor(() => lagSamples().length >= 2, 30_000, 'first lag samples');
      const firstTwo = lagSamples().slice(0, 2);
      expect(new Set(firstTwo.map((s) => s.partition))).toEqual(new Set(['0', '1']));
      expect(firstTwo.reduce((a, s) => a + s.value, 0)).toBe(500);
      // ...and falls to zero once caught up
      await dsd.waitFor(
        () => {
          const s = lagSamples();
          const last = new Map(s.map((x) => [x.partition, x.value]));
          return s.length > 2 && last.size === 2 && [...last.values()].every((v) => v === 0);
        },
        60_000,
        'lag back to zero',
      );
      expect(durations(dsd.lines).length).toBeGreaterThanOrEqual(500);
    } finally {
      await second.stop();
      await dsd.close();
    }
  });

  it('serves liveness and readiness over HTTP when health_port is set', async () => {
    const topic = uniqueName('health');
    await createTopic(bootstrap, topic);
    const dsd = await DogStatsDListener.udp();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url }, { health_port: 0 }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      const entry = await check.waitForLog((e) => e.msg === 'health endpoint listening');
      const port = Number(/:(\d+)\//.exec(String(entry.url))?.[1]);
      expect((await httpGet(port, '/live')).status).toBe(200);
      await check.waitForLog((e) => e.msg === 'connected to Kafka and consuming', 30_000);
      const ready = await httpGet(port, '/ready');
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'ok' });
      expect((await httpGet(port, '/nope')).status).toBe(404);
    } finally {
      await check.stop();
      await dsd.close();
    }
  });
});
