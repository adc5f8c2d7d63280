/** The bench's per-round ratio: each round's check against the drain of the same round. */
import { ratiosByRound } from '../../bench/report';
import type { ScenarioResult } from '../../bench/results';

const run = (messagesPerSecond: number): ScenarioResult => ({ messagesPerSecond }) as ScenarioResult;

describe('ratiosByRound', () => {
  it('pairs the rounds in order, not the medians', () => {
    // medians 100 / 200 = 0.5, but round by round 0.25, 0.75, 0.5
    expect(ratiosByRound([run(50), run(150), run(100)], [run(200), run(200), run(200)])).toEqual([0.25, 0.75, 0.5]);
    expect(ratiosByRound([run(60), run(100)], [run(120), run(400)])).toEqual([0.5, 0.25]);
  });
  it('stops at the shorter list', () => {
    expect(ratiosByRound([run(10), run(20)], [run(100)])).toEqual([0.1]);
    expect(ratiosByRound([], [run(100)])).toEqual([]);
  });
});
