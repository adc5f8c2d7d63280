/**
 * The main thread's young generation, capped however node was started. The installed command
 * (the bin's shebang), the Dockerfile and the systemd unit pass `--max-semi-space-size`; started
 * any other way (`node dist/src/cli.js`, a wrapper), V8 would grow the new space to 3 x 16 MB
 * under kafkajs's allocation rate, resident memory that buys no throughput. Then:
 * - where node can replace its own process image (`process.execve`, Node 22.15 and later), the
 *   process starts itself again, same PID, with the flag: the cap is exactly the installed one;
 * - elsewhere it holds the new space at its initial size: V8 reads the semi-space growth factor
 *   each time it would grow it, and a factor of 1 means no growth. (Letting it grow to the cap
 *   and stopping it there does not work: collections are reported to observers in batches,
 *   after several growths.) V8 resets a growth factor below 2 whenever it configures a new
 *   isolate, so the hold is asserted again once each encoder worker thread is up. The cost is
 *   more frequent scavenges on the main thread.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { YOUNG_SEMI_SPACE_MB } from './tunables';

export const SEMI_SPACE_FLAG = `--max-semi-space-size=${YOUNG_SEMI_SPACE_MB}`;
/** Set in the environment of a process that started itself again, so that it never loops. */
const REEXEC_MARK = 'ALGORITHMIA_INSIGHTS_REEXEC';

export type YoungGenerationCap = 'flag' | 'reexec' | 'hold';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Applies the cap before any work is done (call it first in `run`). Returns how; with
 * 'reexec' it does not return (the process image is replaced).
 */
export function capYoungGeneration(): YoungGenerationCap {
  if (process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) return 'flag';
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve === 'function' && process.env[REEXEC_MARK] === undefined) {
    execve(process.execPath, [process.execPath, SEMI_SPACE_FLAG, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, [REEXEC_MARK]: '1' });
  }
  holding = true;
  holdAgain();
  return 'hold';
}

let holding = false;

/** After a new isolate (a worker thread) started: V8 reset the growth factor; hold again. */
export function holdAgain(): void {
  if (holding) setFlagsFromString('--semi-space-growth-factor=1');
}

/** The new space's size now (both semi-spaces), in bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}
