import { CounterWindow } from '../../../src/telemetry/statusCounters';

/** A counter that grows by `perSecond` each simulated second. */
function rig(perSecond: number) {
  let now = 1_000_000;
  let consumed = 0;
  const w = new CounterWindow(() => ({ consumed }), now);
  const advance = (seconds: number, tickEvery = 10) => {
    for (let s = 0; s < seconds; s++) {
      now += 1000;
      consumed += perSecond;
      if (s % tickEvery === tickEvery - 1) w.tick(now);
    }
  };
  return { w, advance, now: () => now };
}

describe('counters over the last minute', () => {
  it.each([
    // seconds run, expected window (s), expected last-minute count at 5/s
    [5, 5, 25],
    [30, 30, 150],
    [60, 60, 300],
    [65, 55, 275],
    [600, 60, 300],
    [605, 55, 275],
  ])('after %i s: a window of %i s holding %i', (seconds, windowS, count) => {
    const r = rig(5);
    r.advance(seconds);
    const v = r.w.view(r.now());
    expect(v.total.consumed).toBe(5 * seconds);
    expect(Math.round(v.windowMs / 1000)).toBe(windowS);
    expect(v.window.consumed).toBe(count);
  });

  it('after a quiet minute the window is empty while the total stays', () => {
    const r = rig(5);
    r.advance(30);
    const busy = r.w.view(r.now());
    expect(busy.window.consumed).toBe(150);
    const quiet = new CounterWindow(() => ({ consumed: 150 }), r.now());
    let now = r.now();
    for (let i = 0; i < 7; i++) quiet.tick((now += 10_000));
    expect(quiet.view(now)).toEqual({ total: { consumed: 150 }, window: { consumed: 0 }, windowMs: 60_000 });
  });

  it('keeps a bounded ring however long it runs', () => {
    const r = rig(1);
    r.advance(100_000);
    expect((r.w as unknown as { copies: unknown[] }).copies.length).toBeLessThanOrEqual(7);
  });

  it('counts a key first seen inside the window from 0', () => {
    let errors: Record<string, number> = {};
    const w = new CounterWindow(() => ({ ...errors }), 0);
    w.tick(10_000);
    errors = { 'errors.consume/KAFKA_CONNECT': 3 };
    expect(w.view(20_000).window).toEqual({ 'errors.consume/KAFKA_CONNECT': 3 });
  });

  it('without ticks for long, reports the longer window it really covers', () => {
    let c = 0;
    const w = new CounterWindow(() => ({ c }), 0);
    c = 9;
    const v = w.view(300_000);
    expect(v).toEqual({ total: { c: 9 }, window: { c: 9 }, windowMs: 300_000 });
  });
});
