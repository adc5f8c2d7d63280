/**
 * SIGHUP reloads conf.yaml while messages flow: a changed tag reaches the next metrics without
 * a restart of the Kafka member, a broken file leaves the running configuration alone, a changed
 * Kafka setting restarts the instance; every message is delivered once or more throughout.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { SteadyProducer } from '../harness/faultHelpers';
import { committedOffsets, createTopic, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';

jest.setTimeout(120_000);
afterAll(() => cleanUpCheckProcesses());

const DURATION = 'algorithmia.duration_milliseconds:';

/** The `stage` tag of every duration line, in the order received, with the line's values. */
function stages(lines: readonly string[]): Array<{ stage: string; ids: number[] }> {
  return lines
    .filter((l) => l.startsWith(DURATION))
    .map((l) => ({
      stage: /(?:^|[#,])stage:([a-z]+)/.exec(l.slice(l.indexOf('|')))?.[1] ?? 'none',
      ids: l.slice(DURATION.length, l.indexOf('|')).split(':').map(Number),
    }));
}

it('SIGHUP: a new tag on the next metrics, a broken file refused, a Kafka change restarts the instance; every message delivered', async () => {
  const { bootstrap } = sharedBroker();
  const topic = uniqueName('reload');
  const group = uniqueName('g');
  await createTopic(bootstrap, topic, 2);
  const dsd = await DogStatsDListener.udp();
  const config = (stage: string, maxWaitMs = 100) => {
    const c = testConfig({ bootstrap, topic, group, dogstatsdUrl: dsd.url, extra: { tags: [`stage:${stage}`], max_wait_ms: maxWaitMs } }) as { instances: unknown[] };
    return stringify(c);
  };
  const { file } = writeConfig(config('one'));
  const check = CheckProcess.start(['run', '-c', file]);
  const producer = new SteadyProducer(bootstrap, topic, 2, 200);
  const reloads = () => check.logs().filter((e) => e.msg === 'configuration reloaded').length;
  const seen = (stage: string) => stages(dsd.lines).some((s) => s.stage === stage);
  try {
    await producer.start();
    await dsd.waitFor(() => seen('one'), 30_000, 'values tagged stage:one');

    // 1. A changed tag: applied between batches, the member stays in its group.
    writeFileSync(file, config('two'));
    check.kill('SIGHUP');
    await check.waitForLog((e) => e.msg === 'configuration reloaded');
    await dsd.waitFor(() => seen('two'), 30_000, 'values tagged stage:two');
    const applied = check.logs().find((e) => e.msg === 'reload: applying changed settings between batches');
    expect(applied?.changed).toEqual(['metricTags', 'telemetryTags']);
    expect(check.logs().filter((e) => e.msg === 'joined consumer group')).toHaveLength(1);

    // 2. A broken file: every problem logged, the running configuration goes on.
    writeFileSync(file, 'init_config:\ninstances:\n  - topic: 5\n    max_wait_ms: -1\n');
    check.kill('SIGHUP');
    const refused = await check.waitForLog((e) => e.msg === 'reload refused: the configuration file is invalid; the running configuration goes on');
    expect((refused.problems as string[]).length).toBeGreaterThanOrEqual(2);
    const linesAtRefusal = dsd.lines.length;
    await dsd.waitFor((l) => stages(l.slice(linesAtRefusal)).some((s) => s.stage === 'two'), 30_000, 'stage:two values after the refused reload');
    expect(reloads()).toBe(1);
    expect(check.proc.exitCode).toBeNull();

    // 3. A Kafka setting changed: the instance restarts (drain, commit, leave, join).
    writeFileSync(file, config('three', 200));
    check.kill('SIGHUP');
    await check.waitForLog((e) => e.msg === 'reload: Kafka settings changed; restarting the instance (drain, commit, leave, join)');
    await dsd.waitFor(() => seen('three'), 60_000, 'values tagged stage:three');
    expect(check.logs().filter((e) => e.msg === 'joined consumer group').length).toBeGreaterThanOrEqual(2);

    await producer.stop();
    const allArrived = () => {
      const got = new Set(stages(dsd.lines).flatMap((s) => s.ids));
      return producer.produced.every((id) => got.has(id));
    };
    await dsd.waitFor(allArrived, 60_000, 'every produced value');
    // The tag switches once per reload, never back: each reload applied from one batch on.
    const order = stages(dsd.lines).map((s) => s.stage);
    const switches = order.filter((s, i) => i > 0 && s !== order[i - 1]);
    expect(switches).toEqual(['two', 'three']);
    check.kill('SIGTERM');
    expect(await check.exited).toEqual({ code: 0, signal: null });
  } finally {
    await producer.stop().catch(() => undefined);
    await check.stop();
    await dsd.close();
  }
  const committed = [...(await committedOffsets(bootstrap, group, topic)).values()].reduce((a, b) => a + b, 0);
  expect(committed).toBe(producer.produced.length);
});
