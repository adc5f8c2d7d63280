import { previousBy, VersionClock } from '../../../src/drift/time';

/** Versions with the given earliest message times. */
function versions(...list: Array<[string, number]>) {
  return list.map(([version, earliest]) => {
    const clock = new VersionClock();
    clock.see(earliest);
    clock.see(earliest + 1000);
    return { version, clock };
  });
}
const prev = (vs: ReturnType<typeof versions>, of: string) => previousBy(vs, vs.find((v) => v.version === of) as (typeof vs)[number], (v) => v.clock)?.version;

describe('the previous version', () => {
  it.each([
    ['the latest earliest time before it', versions(['1', 100], ['2', 200], ['3', 300]), '3', '2'],
    ['none for the first', versions(['1', 100], ['2', 200]), '1', undefined],
    ['strictly before: a version that started at the same time is not it', versions(['1', 100], ['2', 200], ['2b', 200]), '2b', '1'],
    ['ties before it: the smaller version string', versions(['b', 100], ['a', 100], ['c', 300]), 'c', 'a'],
    ['order of the list does not matter', versions(['c', 300], ['a', 100], ['b', 100]), 'c', 'a'],
    ['a later version is never the previous one', versions(['2', 200], ['3', 300]), '2', undefined],
  ])('%s', (_, vs, of, expected) => {
    expect(prev(vs, of)).toBe(expected);
  });
});
