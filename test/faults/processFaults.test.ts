/**
 * Faults with exact accounting, on a broker of this file's own: the DogStatsD socket going
 * away, scale-out with a member killed, SIGTERM under load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckProcess, testConfig, writeConfig } from '../harness/checkProcess';
import { DogStatsDListener } from '../harness/dogstatsdListener';
import { assignments, durationIds, partitionOfId, seqOfId, SteadyProducer, useOwnBroker } from '../harness/faultHelpers';
import { committedOffsets, createTopic, uniqueName } from '../harness/kafkaHelpers';

jest.setTimeout(240_000);

const own = useOwnBroker();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** At-least-once invariant: every message below a committed offset was emitted. */
function assertCommittedWereEmitted(committed: Map<number, number>, emitted: Set<number>): void {
  for (const [partition, offset] of committed) {
    const missing: number[] = [];
    for (let seq = 0; seq < offset; seq++) if (!emitted.has(partition * 1_000_000 + seq)) missing.push(seq);
    expect({ partition, missing: missing.slice(0, 10) }).toEqual({ partition, missing: [] });
  }
}

describe('faults', () => {
  it('DogStatsD Unix socket missing, then congested: sends fail, commits hold, and it catches up with nothing lost', async () => {
    const topic = uniqueName('uds-down');
    const group = uniqueName('g');
    await createTopic(own.broker.bootstrap, topic, 2);
    const dir = mkdtempSync(join(tmpdir(), 'aik-uds-'));
    const path = join(dir, 'dsd.socket');
    const conf = writeConfig(testConfig({ bootstrap: own.broker.bootstrap, topic, group, dogstatsdUrl: `unix://${path}` }));
    const producer = new SteadyProducer(own.broker.bootstrap, topic, 2, 500);
    // Phase 1: the Agent's socket does not exist yet.
    const check = CheckProcess.start(['run', '-c', conf.file], { cleanupDir: conf.dir });
    let dsd: DogStatsDListener | undefined;
    try {
      await producer.start();
      await check.waitForLog((e) => e.msg === 'DogStatsD send failed; offsets held back, the batch will be sent again', 30_000);
      await sleep(2000);
      expect([...(await committedOffsets(own.broker.bootstrap, group, topic)).values()].reduce((a, b) => a + b, 0)).toBe(0);
      expect(producer.produced.length).toBeGreaterThan(0);

      // The Agent starts: everything held back arrives.
      dsd = await DogStatsDListener.uds(path);
      const listener = dsd;
      const allArrived = () => {
        const got = new Set(durationIds(listener.lines));
        return producer.produced.every((id) => got.has(id));
      };
      await dsd.waitFor(allArrived, 60_000, 'the backlog after the socket appeared');

      // Phase 2: the Agent hangs (its socket queue fills up) mid-stream.
      dsd.freeze();
      await sleep(4000);
      const committedWhileFrozen = await committedOffsets(own.broker.bootstrap, group, topic);
      const producedByThen = producer.produced.length;
      dsd.thaw();
      await sleep(1000); // what the kernel had queued is read now: it was handed off
      assertCommittedWereEmitted(committedWhileFrozen, new Set(durationIds(dsd.lines)));
      const committedTotal = [...committedWhileFrozen.values()].reduce((a, b) => a + b, 0);
      expect(committedTotal).toBeLessThan(producedByThen); // the hang really held commits back

      await sleep(2000);
      await producer.stop();
      await dsd.waitFor(allArrived, 90_000, 'every produced value after the hang');
      const sendErrors = dsd.lines
        .filter((l) => l.startsWith('algorithmia.forwarder.dogstatsd.send_errors:'))
        .reduce((a, l) => a + Number(l.split('|')[0].split(':')[1]), 0);
      expect(sendErrors).toBeGreaterThan(0);
      const delivered = durationIds(dsd.lines);
      const distinct = new Set(delivered).size;
      process.stderr.write(
        `[uds-outage] produced ${producer.produced.length}, delivered ${distinct} distinct, ${delivered.length - distinct} duplicates, ${sendErrors} failed datagrams\n`,
      );
    } finally {
      await producer.stop().catch(() => undefined);
      await check.stop();
      await dsd?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scale-out: three members share six partitions; one is killed mid-stream and the others take over with nothing lost', async () => {
    const topic = uniqueName('scale');
    const group = uniqueName('g');
    await createTopic(own.broker.bootstrap, topic, 6);
    const listeners = await Promise.all([0, 1, 2].map(() => DogStatsDListener.uds()));
    const members = listeners.map((dsd) => {
      const { file } = writeConfig(testConfig({ bootstrap: own.broker.bootstrap, topic, group, dogstatsdUrl: dsd.url }));
      return CheckProcess.start(['run', '-c', file]);
    });
    const producer = new SteadyProducer(own.broker.bootstrap, topic, 6, 1500);
    try {
      // wait until the three members each own partitions
      await Promise.all(members.map((m) => m.waitForLog((e) => e.msg === 'joined consumer group', 60_000)));
      const settled = async () => {
        for (let i = 0; i < 100; i++) {
          const last = members.map((m) => assignments(m.logs(), topic).at(-1) ?? []);
          if (last.every((a) => a.length === 2)) return last;
          await sleep(200);
        }
        throw new Error('group did not settle at two partitions per member');
      };
      const before = await settled();
      await producer.start();
      await listeners[0].waitFor((l) => durationIds(l).length >= 200, 60_000, 'victim emitting');
      const victimOwned = before[0];
      members[0].kill('SIGKILL');
      await members[0].exited;
      const victimEmitted = new Set(durationIds(listeners[0].lines));
      expect([...victimEmitted].every((id) => victimOwned.includes(partitionOfId(id)))).toBe(true);

      await sleep(5000);
      await producer.stop();
      const union = () => new Set(listeners.flatMap((l) => durationIds(l.lines)));
      const allArrived = () => {
        const got = union();
        return producer.produced.every((id) => got.has(id));
      };
      try {
        await listeners[1].waitFor(allArrived, 90_000, 'every produced value');
      } catch (err) {
        const missing = producer.produced.filter((id) => !union().has(id));
        const byPartition = missing.reduce<Record<number, number>>((a, id) => ({ ...a, [partitionOfId(id)]: (a[partitionOfId(id)] ?? 0) + 1 }), {});
        process.stderr.write(`[scale-out] missing per partition ${JSON.stringify(byPartition)}\n`);
        for (const [i, m] of members.entries()) process.stderr.write(`--- member ${i}\n${m.stderr.split('\n').slice(-25).join('\n')}\n`);
        throw err;
      }

      // The victim had emitted some but not all of its partitions' data, and the survivors took them over.
      const victimPartitionsProduced = producer.produced.filter((id) => victimOwned.includes(partitionOfId(id)));
      expect(victimEmitted.size).toBeGreaterThan(0);
      expect(victimEmitted.size).toBeLessThan(victimPartitionsProduced.length);
      const survivorsNow = [1, 2].map((i) => assignments(members[i].logs(), topic).at(-1) ?? []);
      expect(survivorsNow.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
      const all = listeners.flatMap((l) => durationIds(l.lines));
      process.stderr.write(
        `[scale-out] produced ${producer.produced.length}, delivered ${union().size} distinct, ${all.length - union().size} duplicates; victim owned ${victimOwned} and emitted ${victimEmitted.size}\n`,
      );
      expect(union().size).toBe(producer.produced.length);
    } finally {
      await producer.stop().catch(() => undefined);
      await Promise.all(members.map((m) => m.stop()));
      await Promise.all(listeners.map((l) => l.close()));
    }
  });

  it('SIGTERM under load: exits 0 within its bound with offsets committed for everything it emitted', async () => {
    const topic = uniqueName('term');
    const group = uniqueName('g');
    await createTopic(own.broker.bootstrap, topic, 3);
    const dsd = await DogStatsDListener.uds();
    const { file, dir } = writeConfig(testConfig({ bootstrap: own.broker.bootstrap, topic, group, dogstatsdUrl: dsd.url }, { shutdown_timeout_seconds: 10 }));
    const producer = new SteadyProducer(own.broker.bootstrap, topic, 3, 3000);
    const check = CheckProcess.start(['run', '-c', file], { cleanupDir: dir });
    try {
      await producer.start();
      await dsd.waitFor((l) => durationIds(l).length >= 2000, 60_000, 'load');
      const t0 = Date.now();
      check.kill('SIGTERM');
      const exit = await check.exited;
      const stopMs = Date.now() - t0;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(stopMs).toBeLessThan(10_000 + 2_000); // the configured bound (plus process exit)
      await producer.stop();
      const emitted = new Set(durationIds(dsd.lines));
      const committed = await committedOffsets(own.broker.bootstrap, group, topic);
      assertCommittedWereEmitted(committed, emitted);
      // ... and everything it emitted is committed: nothing will be re-sent on restart.
      for (const id of emitted) expect(seqOfId(id)).toBeLessThan(committed.get(partitionOfId(id)) ?? 0);
      process.stderr.write(`[sigterm] stopped in ${stopMs} ms; emitted ${emitted.size}, committed ${[...committed.values()].reduce((a, b) => a + b, 0)}\n`);
    } finally {
      await producer.stop().catch(() => undefined);
      await check.stop();
      await dsd.close();
    }
  });
});
