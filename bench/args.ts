/** The command line of `npm run bench`. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KeyOrder } from '../scripts/insightsGenerator';
import { CODEC_OPTIONS, type CodecOption } from './codecs';
import { ROOT } from './util';

export interface BenchArgs {
  messages: number;
  partitions: number;
  skipLatency: boolean;
  only?: 'udp' | 'uds';
  cpuProf?: string;
  out: string;
  latencyRate: number;
  latencySeconds: number;
  seed: number;
  /** Each scenario runs this many times, round-robin; the table shows medians (peak RSS: the highest). */
  rounds: number;
  /** Extra keys merged into the check's instance config (tuning experiments), e.g. {"commit_interval_ms":1000}. */
  instanceConfig: Record<string, unknown>;
  /** Producer compression of the preloaded topic ('mix': rotated per produce call). */
  codec: CodecOption;
  /** Average numeric fields per message (duration_milliseconds included); undefined: the generator's own (~10.5). */
  fields?: number;
  keyOrder: KeyOrder;
  /** A second build's dist/src/cli.js: its check scenarios run too, interleaved, as `(baseline)` rows. */
  baselineCli?: string;
  /** How the check is started: as the installed command (`bin`: node with its shebang's flags) or as plain `node cli.js`. */
  launch: 'bin' | 'node';
}

export const USAGE = `usage: npm run bench -- [--messages N] [--partitions P] [--skip-latency] [--only udp|uds]
                        [--cpu-prof DIR] [--out FILE] [--latency-rate MSG_PER_S] [--latency-seconds S] [--seed N] [--rounds N]
                        [--instance-config JSON]   (merged into the check's instance config)
                        [--codec none|gzip|snappy|lz4|zstd|mix] [--fields N] [--key-order fixed|varying]
                        [--baseline-cli PATH]      (another build's dist/src/cli.js, run as extra "(baseline)" rows)
                        [--launch bin|node]        (the installed command's node flags, or plain node dist/src/cli.js)`;

export function parseArgs(argv: string[]): BenchArgs {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const args: BenchArgs = {
    messages: 1_000_000,
    partitions: 6,
    skipLatency: false,
    out: join(ROOT, 'bench/results', `${stamp}.json`),
    latencyRate: 2000,
    latencySeconds: 20,
    seed: 42,
    rounds: 3,
    instanceConfig: {},
    codec: 'none',
    keyOrder: 'fixed',
    launch: 'bin',
  };
  const int = (flag: string, v: string | undefined, min = 1): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--messages': args.messages = int(a, next()); break;
      case '--partitions': args.partitions = int(a, next()); break;
      case '--skip-latency': args.skipLatency = true; break;
      case '--only': {
        const v = next();
        if (v !== 'udp' && v !== 'uds') throw new Error(`--only takes udp or uds\n${USAGE}`);
        args.only = v;
        break;
      }
      case '--cpu-prof': args.cpuProf = resolve(next() ?? ''); break;
      case '--out': args.out = resolve(next() ?? ''); break;
      case '--latency-rate': args.latencyRate = int(a, next()); break;
      case '--latency-seconds': args.latencySeconds = int(a, next(), 3); break;
      case '--seed': args.seed = int(a, next(), 0); break;
      case '--rounds': args.rounds = int(a, next()); break;
      case '--instance-config': {
        const v = JSON.parse(next() ?? '') as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`--instance-config takes a JSON object\n${USAGE}`);
        args.instanceConfig = v as Record<string, unknown>;
        break;
      }
      case '--codec': {
        const v = next() as CodecOption;
        if (!CODEC_OPTIONS.includes(v)) throw new Error(`--codec takes one of ${CODEC_OPTIONS.join('|')}\n${USAGE}`);
        args.codec = v;
        break;
      }
      case '--fields': {
        const v = Number(next());
        if (!Number.isFinite(v) || v < 1 || v > 500) throw new Error(`--fields needs a number from 1 to 500 (numeric fields per message, duration included)\n${USAGE}`);
        args.fields = v;
        break;
      }
      case '--key-order': {
        const v = next();
        if (v !== 'fixed' && v !== 'varying') throw new Error(`--key-order takes fixed or varying\n${USAGE}`);
        args.keyOrder = v;
        break;
      }
      case '--baseline-cli': {
        const v = resolve(next() ?? '');
        if (!existsSync(v)) throw new Error(`--baseline-cli: ${v} does not exist (build the other tree first: npx tsc -p tsconfig.json)\n${USAGE}`);
        args.baselineCli = v;
        break;
      }
      case '--launch': {
        const v = next();
        if (v !== 'bin' && v !== 'node') throw new Error(`--launch takes bin or node\n${USAGE}`);
        args.launch = v;
        break;
      }
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  return args;
}
