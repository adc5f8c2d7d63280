/**
 * Which of the installed command's node flags a process started some other way lacks: those it
 * starts itself again with (Node 22.15 and later), by flag name.
 */
import { NODE_FLAGS, NO_PARALLEL_SCAVENGE_FLAG, SEMI_SPACE_FLAG, missingFlags } from '../../src/youngGeneration';

describe('missingFlags', () => {
  it.each<[string, string[], string[]]>([
    ['plain node', [], [SEMI_SPACE_FLAG, NO_PARALLEL_SCAVENGE_FLAG]],
    ['the installed command', [...NODE_FLAGS], []],
    ['a semi-space cap of another size, nothing else', ['--max-semi-space-size=8'], [NO_PARALLEL_SCAVENGE_FLAG]],
    ['only the scavenge flag, with unrelated flags', ['--enable-source-maps', NO_PARALLEL_SCAVENGE_FLAG, '--max-old-space-size=512'], [SEMI_SPACE_FLAG]],
    ['a look-alike name is not the flag', ['--max-semi-space-size-x=4', '--no-parallel-scavenge-now'], [SEMI_SPACE_FLAG, NO_PARALLEL_SCAVENGE_FLAG]],
  ])('%s', (_case, execArgv, missing) => {
    expect(missingFlags(execArgv)).toEqual(missing);
  });
});
