/**
 * `run --dry-run` observes and never takes part: it reads through a throwaway group, starts
 * where the configured group stands, commits nothing, and a real run with the same
 * configuration afterwards (or beside it) still delivers every message.
 */
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { committedOffsets, createTopic, produce, testKafka, uniqueName } from '../harness/kafkaHelpers';
import { metricValues } from '../harness/lineValues';
import { sharedBroker } from '../harness/testBroker';

afterAll(() => cleanUpCheckProcesses());

const durations = (text: string) => metricValues(text.split('\n'), 'algorithmia.duration_milliseconds');
const message = (i: number) => ({ key: `k${i % 5}`, value: JSON.stringify({ algorithm_name: 'a', algorithm_version: '1', duration_milliseconds: i }) });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every group on the broker whose id starts with `prefix`, with its committed offsets on `topic`. */
async function groupsStartingWith(bootstrap: string, prefix: string, topic: string): Promise<Map<string, number>> {
  const admin = testKafka(bootstrap, 'test-admin').admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const out = new Map<string, number>();
    for (const g of groups.filter((x) => x.groupId.startsWith(prefix))) {
      const [t] = await admin.fetchOffsets({ groupId: g.groupId, topics: [topic] });
      out.set(g.groupId, (t?.partitions ?? []).filter((p) => p.offset !== '-1').length);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

describe('dry run', () => {
  const { bootstrap } = sharedBroker();

  it('reads a backlog through a throwaway group without committing; the real run then delivers every message, and a later dry run starts at its commits without taking its partitions', async () => {
    const topic = uniqueName('dry');
    const group = uniqueName('g');
    await createTopic(bootstrap, topic, 2);
    const N = 300;
    await produce(bootstrap, topic, range(0, N).map(message));
    const dsd = await DogStatsDListener.udp();
    const { file } = writeConfig(testConfig({ bootstrap, topic, group, dogstatsdUrl: dsd.url }));

    // 1. A dry run on the backlog: the group has no commits, so it starts at start_from (earliest).
    const dry = CheckProcess.start(['run', '--dry-run', '-c', file]);
    try {
      await waitUntil(`${N} durations on stdout`, () => durations(dry.stdout).length >= N);
      expect(new Set(durations(dry.stdout))).toEqual(new Set(range(0, N)));
      const firstLine = dry.stderr.split('\n')[0];
      expect(firstLine).toContain(`dry run: reading topic ${topic} on ${bootstrap}`);
      expect(firstLine).toContain(`throwaway consumer group ${group}.dry-run.${dry.proc.pid}`);
      expect(firstLine).toContain(`from the committed offsets of ${group}`);
      expect(firstLine).toContain('Nothing is committed');
      // Joined under its own group, not the configured one.
      const joined = await dry.waitForLog((e) => e.msg === 'joined consumer group');
      expect(joined.group).toBe(`${group}.dry-run.${dry.proc.pid}`);
      dry.kill('SIGTERM');
      expect(await dry.exited).toEqual({ code: 0, signal: null });
    } finally {
      await dry.stop();
    }
    // Nothing committed, neither for the configured group nor for the throwaway one; no lag reported.
    expect((await committedOffsets(bootstrap, group, topic)).size).toBe(0);
    for (const [, partitionsCommitted] of await groupsStartingWith(bootstrap, `${group}.dry-run.`, topic)) expect(partitionsCommitted).toBe(0);
    expect(dry.stdout).not.toContain('algorithmia.forwarder.consumer_lag');

    // 2. The real run with the same configuration delivers every message of the backlog.
    const real = CheckProcess.start(['run', '-c', file]);
    try {
      await dsd.waitFor((l) => metricValues(l, 'algorithmia.duration_milliseconds').length >= N, 60_000, `${N} durations`);
      expect(new Set(metricValues(dsd.lines, 'algorithmia.duration_milliseconds'))).toEqual(new Set(range(0, N)));
      const deadline = Date.now() + 20_000;
      for (;;) {
        const c = await committedOffsets(bootstrap, group, topic);
        if ([...c.values()].reduce((a, b) => a + b, 0) === N) break;
        if (Date.now() > deadline) throw new Error(`the real run did not commit ${N}: ${JSON.stringify([...c])}`);
        await new Promise((r) => setTimeout(r, 200));
      }

      // 3. A dry run beside the running forwarder starts at the group's commits (only the new
      // messages), and takes no partition from it (the forwarder never rejoins).
      const dry2 = CheckProcess.start(['run', '--dry-run', '-c', file]);
      try {
        await dry2.waitForLog((e) => e.msg === 'joined consumer group');
        const M = 40;
        await produce(bootstrap, topic, range(N, N + M).map(message));
        await waitUntil(`${M} new durations on the dry run's stdout`, () => durations(dry2.stdout).length >= M);
        await dsd.waitFor((l) => metricValues(l, 'algorithmia.duration_milliseconds').length >= N + M, 30_000, `${N + M} durations`);
        await new Promise((r) => setTimeout(r, 500));
        expect(new Set(durations(dry2.stdout))).toEqual(new Set(range(N, N + M)));
        expect(new Set(metricValues(dsd.lines, 'algorithmia.duration_milliseconds'))).toEqual(new Set(range(0, N + M)));
        dry2.kill('SIGTERM');
        expect(await dry2.exited).toEqual({ code: 0, signal: null });
      } finally {
        await dry2.stop();
      }
      expect(real.logs().filter((e) => e.msg === 'joined consumer group')).toHaveLength(1);
    } finally {
      await real.stop();
      await dsd.close();
    }
    expect(await real.exited).toEqual({ code: 0, signal: null });
    expect([...(await committedOffsets(bootstrap, group, topic)).values()].reduce((a, b) => a + b, 0)).toBe(N + 40);
  });
});
