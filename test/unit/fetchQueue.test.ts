/** The bounded queue between kafkajs's fetch loop and the delivery of batches (pure unit test). */
import { FetchQueue, QueuedJob } from '../../src/source/fetchQueue';

interface Job extends QueuedJob {
  name: string;
}

/** A job that runs until released, recording start and end. */
function gatedJob(name: string, partition: number, bytes: number, log: string[]): Job & { release(): void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  return {
    name,
    partition,
    bytes,
    release: () => release(),
    run: async () => {
      log.push(`start ${name}`);
      await gate;
      log.push(`end ${name}`);
    },
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('FetchQueue', () => {
  it('runs jobs one at a time in push order', async () => {
    const log: string[] = [];
    const p = new FetchQueue<Job>(1000);
    const jobs = ['a', 'b', 'c'].map((n) => gatedJob(n, 0, 1, log));
    for (const j of jobs) await p.push(j);
    await tick();
    expect(log).toEqual(['start a']);
    jobs[0].release();
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    jobs[1].release();
    jobs[2].release();
    await p.idle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(p.discard(() => true)).toBe(0); // nothing left queued
  });

  it('push waits while more than the bound is queued, and resumes as jobs start', async () => {
    const log: string[] = [];
    const p = new FetchQueue<Job>(100);
    const a = gatedJob('a', 0, 80, log);
    const b = gatedJob('b', 0, 80, log);
    const c = gatedJob('c', 0, 80, log);
    await p.push(a); // starts at once: nothing queued
    await p.push(b); // 80 queued: within the bound
    let cPushed = false;
    const pushC = p.push(c).then(() => (cPushed = true));
    await tick();
    expect(cPushed).toBe(false); // 160 queued > 100
    a.release(); // b starts: 80 queued
    await pushC;
    expect(cPushed).toBe(true);
    b.release();
    c.release();
    await p.idle();
  });

  it('discard removes queued jobs of a partition (not the running one) and frees the bound', async () => {
    const log: string[] = [];
    const p = new FetchQueue<Job>(100);
    const a = gatedJob('a', 1, 80, log);
    await p.push(a);
    await p.push(gatedJob('b', 1, 80, log));
    let pushed = false;
    const pushC = p.push(gatedJob('c', 2, 80, log)).then(() => (pushed = true));
    await tick();
    expect(pushed).toBe(false);
    expect(p.discard((j) => j.partition === 1)).toBe(1); // b; a is running
    await pushC;
    expect(pushed).toBe(true);
    a.release();
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start c']);
  });

  it('a job that throws does not stop the jobs behind it', async () => {
    const ran: string[] = [];
    const p = new FetchQueue<Job>(100);
    await p.push({ name: 'bad', partition: 0, bytes: 1, run: () => Promise.reject(new Error('boom')) });
    await p.push({ name: 'good', partition: 0, bytes: 1, run: async () => void ran.push('good') });
    await p.idle();
    expect(ran).toEqual(['good']);
  });

  it('idle() resolves at once when nothing was pushed', async () => {
    await expect(new FetchQueue(1).idle()).resolves.toBeUndefined();
  });
});
