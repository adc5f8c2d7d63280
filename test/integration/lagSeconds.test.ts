/**
 * Consumer lag in seconds on the real broker and the real check process. Messages are produced
 * with known old Kafka timestamps; their dead-letter topic does not exist yet, so the batch that
 * holds them cannot be handed off (every copy to the dead-letter topic fails) and stays pending.
 * The lag in seconds must then be the age of the oldest of them: bounded by the timestamps and
 * the times the samples could have been taken, not by a timing guess. Once the dead-letter topic
 * exists, the backlog is handed off and committed, and the lag falls to 0.
 */
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { CheckProcess, cleanUpCheckProcesses, testConfig, writeConfig } from '../harness/checkProcess';
import { createTopic, produce, uniqueName } from '../harness/kafkaHelpers';
import { sharedBroker } from '../harness/testBroker';

afterAll(() => cleanUpCheckProcesses());

interface Sample {
  value: number;
  partition?: string;
  topic?: string;
}

function samples(lines: string[], metric: string): Sample[] {
  return lines
    .filter((l) => l.startsWith(`${metric}:`))
    .map((l) => {
      const [head, , tags = ''] = l.split('|');
      return {
        value: Number(head.slice(metric.length + 1)),
        partition: /(?:#|,)partition:([^,]+)/.exec(tags)?.[1],
        topic: /(?:#|,)topic:([^,]+)/.exec(tags)?.[1],
      };
    });
}

const SECONDS = 'algorithmia.forwarder.consumer_lag_seconds';
const MESSAGES = 'algorithmia.forwarder.consumer_lag';

describe('consumer lag in seconds', () => {
  const { bootstrap } = sharedBroker();

  it('is the age of the oldest message not handed off while a backlog is pending, and 0 once caught up', async () => {
    const topic = uniqueName('lagsec');
    const dlq = uniqueName('lagsec-dlq'); // created only later
    await createTopic(bootstrap, topic, 1);

    // 20 messages (all rejected: not JSON), one minute apart, the first one an hour old.
    const t0 = Date.now();
    const first = t0 - 3_600_000;
    const n = 20;
    const stepMs = 60_000;
    await produce(
      bootstrap,
      topic,
      Array.from({ length: n }, (_, i) => ({ value: `not json ${i}`, timestamp: String(first + i * stepMs) })),
    );

    const dsd = await DogStatsDListener.udp();
    const { file, dir } = writeConfig(testConfig({ bootstrap, topic, group: uniqueName('g'), dogstatsdUrl: dsd.url, extra: { dead_letter_topic: dlq } }));
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await dsd.waitFor((l) => samples(l, SECONDS).length >= 3, 60_000, 'three lag-in-seconds samples');
      const t1 = Date.now();
      const pending = samples(dsd.lines, SECONDS);
      // Taken between t0 and t1, of the message produced at `first`: its age then lies in this range.
      // (The youngest message is 19 minutes younger: an age measured from it would be far below.)
      const low = (t0 - first) / 1000;
      const high = (t1 - first) / 1000;
      for (const s of pending) {
        expect(s).toMatchObject({ partition: '0', topic });
        expect(s.value).toBeGreaterThanOrEqual(low);
        expect(s.value).toBeLessThanOrEqual(high);
      }
      // Nothing was handed off, so nothing was committed: the message lag is the whole backlog.
      const messageLag = samples(dsd.lines, MESSAGES);
      expect(messageLag.length).toBeGreaterThan(0);
      expect(messageLag.every((s) => s.value === n && s.partition === '0')).toBe(true);

      // The dead-letter topic appears: the backlog is handed off, committed, and the lag is 0.
      const t2 = Date.now();
      dsd.clear();
      await createTopic(bootstrap, dlq, 1);
      await dsd.waitFor(
        (l) => {
          const secs = samples(l, SECONDS);
          const msgs = samples(l, MESSAGES);
          return secs.length > 0 && msgs.length > 0 && secs[secs.length - 1].value === 0 && msgs[msgs.length - 1].value === 0;
        },
        120_000,
        'lag back to 0 in messages and seconds',
      );
      // On the way to 0 a sample is the age of the oldest pending message, or of the last one
      // handed off (the youngest, until the commit), taken after t2 (1 s slack for one in flight).
      const t3 = Date.now();
      const youngestTs = first + (n - 1) * stepMs;
      for (const s of samples(dsd.lines, SECONDS)) {
        if (s.value === 0) continue;
        expect(s.value).toBeGreaterThanOrEqual((t2 - 1000 - youngestTs) / 1000);
        expect(s.value).toBeLessThanOrEqual((t3 - first) / 1000);
      }
    } finally {
      await check.stop();
      await dsd.close();
    }
  });
});
