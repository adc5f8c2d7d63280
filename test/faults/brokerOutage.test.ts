/**
 * The broker goes away for 30 s mid-stream and comes back on the same data and ports: the check
 * reconnects by itself, loses nothing, never exits, and its service check shows the outage.
 */
import { CheckProcess, testConfig, writeConfig } from '../harness/checkProcess';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { durationIds, SteadyProducer, useOwnBroker } from '../harness/faultHelpers';
import { createTopic, uniqueName } from '../harness/kafkaHelpers';

jest.setTimeout(300_000);

const own = useOwnBroker();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const checks = (lines: string[], status: 0 | 2) => lines.filter((l) => l.startsWith(`_sc|algorithmia.can_connect|${status}|`));

it('broker stopped for 30 s and restarted mid-stream: reconnects, nothing lost, service check reflects the outage', async () => {
  const topic = uniqueName('outage');
  await createTopic(own.broker.bootstrap, topic, 2);
  const dsd = await DogStatsDListener.uds();
  const { file, dir } = writeConfig(testConfig({ bootstrap: own.broker.bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url }));
  const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
  const producer = new SteadyProducer(own.broker.bootstrap, topic, 2, 300);
  try {
    await producer.start();
    await dsd.waitFor((l) => durationIds(l).length >= 300 && checks(l, 0).length > 0, 60_000, 'values and an OK service check');
    const deliveredBefore = new Set(durationIds(dsd.lines)).size;

    await own.broker.stop();
    const outageStartedAt = dsd.lines.length;
    await sleep(30_000);
    const duringOutage = dsd.lines.slice(outageStartedAt);
    const critical = checks(duringOutage, 2);
    expect(critical.length).toBeGreaterThan(0);
    expect(critical[0]).toMatch(/\|m:.+/); // with the reason
    expect(check.proc.exitCode).toBeNull(); // still running, retrying

    await own.broker.start();
    await dsd.waitFor((l) => checks(l.slice(outageStartedAt + duringOutage.length), 0).length > 0, 120_000, 'OK service check after the restart');
    await sleep(3000);
    await producer.stop();
    const allArrived = () => {
      const got = new Set(durationIds(dsd.lines));
      return producer.produced.every((id) => got.has(id));
    };
    await dsd.waitFor(allArrived, 120_000, 'every produced value');
    const delivered = durationIds(dsd.lines);
    const distinct = new Set(delivered).size;
    expect(distinct).toBeGreaterThan(deliveredBefore); // the stream went on after the outage
    expect(check.logs().some((e) => e.msg === 'Kafka unavailable')).toBe(true);
    process.stderr.write(
      `[broker-outage] produced ${producer.produced.length}, delivered ${distinct} distinct, ${delivered.length - distinct} duplicates; ${critical.length} CRITICAL checks during the outage, first: ${critical[0]}\n`,
    );
  } finally {
    await producer.stop().catch(() => undefined);
    await check.stop();
    await dsd.close();
  }
  expect((await check.exited).code).toBe(0);
});
