/** The real file system and environment behind validate's findings (findings.ts). */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import type { ConfigProbe, PathInfo } from './findings';

function kindOf(s: Stats): 'file' | 'dir' | 'socket' | 'other' {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isSocket()) return 'socket';
  return 'other';
}

export function systemProbe(env: NodeJS.ProcessEnv = process.env): ConfigProbe {
  return {
    env: (name) => env[name],
    stat(path): PathInfo {
      try {
        const s = statSync(path);
        return { kind: kindOf(s), mode: s.mode };
      } catch (err) {
        return { code: String((err as NodeJS.ErrnoException).code ?? 'EIO') };
      }
    },
    writableDir(dir) {
      try {
        accessSync(dir, constants.W_OK | constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}
