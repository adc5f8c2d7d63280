/**
 * The main thread's young generation, capped however node was started. The installed command
 * (the bin's shebang), the Dockerfile and the systemd unit pass NODE_FLAGS; started any other way
 * (`node dist/src/cli.js`, a wrapper), V8 would grow the new space to 3 x 16 MB under kafkajs's
 * allocation rate, resident memory that buys no throughput. Then:
 * - where node can replace its own process image (`process.execve`, Node 22.15 and later), the
 *   process starts itself again, same PID, with the flags: exactly the installed command;
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
/**
 * Scavenges on the calling thread alone. A small new space means frequent, short scavenges, and
 * by default V8 shares each with helper threads; on a host whose cores are already busy (the
 * check's two threads, a broker, the Agent) the hand-over costs more CPU than it saves. V8 reads
 * this flag when the heap is set up: it takes effect only on node's command line, so the plain
 * `node dist/src/cli.js` start of Node 20 (no execve) goes without it (memory is the same).
 */
export const NO_PARALLEL_SCAVENGE_FLAG = '--no-parallel-scavenge';
/** The node flags of the installed command: the bin's shebang is exactly these (a test checks). */
export const NODE_FLAGS: readonly string[] = [SEMI_SPACE_FLAG, NO_PARALLEL_SCAVENGE_FLAG];
/** Set in the environment of a process that started itself again, so that it never loops. */
const REEXEC_MARK = 'ALGORITHMIA_INSIGHTS_REEXEC';

export type YoungGenerationCap = 'flag' | 'reexec' | 'hold';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Applies the cap before any work is done (call it first in `run`). Returns how; with
 * 'reexec' it does not return (the process image is replaced).
 */
export function capYoungGeneration(): YoungGenerationCap {
  const missing = missingFlags(process.execArgv);
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (missing.length > 0 && typeof execve === 'function' && process.env[REEXEC_MARK] === undefined) {
    execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, [REEXEC_MARK]: '1' });
  }
  if (!missing.includes(SEMI_SPACE_FLAG)) return 'flag';
  holding = true;
  holdAgain();
  return 'hold';
}

/** The flags of NODE_FLAGS not on node's command line `execArgv` (by name: a semi-space cap of any size counts). */
export function missingFlags(execArgv: readonly string[]): string[] {
  const given = new Set(execArgv.map((a) => a.split('=')[0]));
  return NODE_FLAGS.filter((f) => !given.has(f.split('=')[0]));
}

let holding = false;

/** Whether this process scavenges without helper threads (NO_PARALLEL_SCAVENGE_FLAG on its command line). */
export function scavengesAlone(): boolean {
  return process.execArgv.includes(NO_PARALLEL_SCAVENGE_FLAG);
}

/** After a new isolate (a worker thread) started: V8 reset the growth factor; hold again. */
export function holdAgain(): void {
  if (holding) setFlagsFromString('--semi-space-growth-factor=1');
}

/** The new space's size now (both semi-spaces), in bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}
