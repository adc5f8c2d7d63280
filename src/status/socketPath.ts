/**
 * Where the status socket of a configuration lives (pure rules; the daemon's side, which
 * creates and checks directories, is runtime/statusServer.ts). `status -c FILE` finds the
 * process running THAT file with no port and no flag: the socket's name comes from the file's
 * real path, and both sides walk the same directories in the same order.
 */
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';

/** Where systemd's `RuntimeDirectory=algorithmia-insights` and the Helm chart's volume put it. */
export const RUN_DIR = '/run/algorithmia-insights';
const PRODUCT = 'algorithmia-insights';

/** `status-<first 16 hex of sha256(real path)>.sock`: short enough for the 107-byte socket path limit. */
export function socketFileName(realConfigPath: string): string {
  return `status-${createHash('sha256').update(realConfigPath).digest('hex').slice(0, 16)}.sock`;
}

export interface SocketPlaces {
  /** Real path of the config file (fs.realpathSync). */
  realConfigPath: string;
  /** `init_config.status_socket_dir` as written, if set. */
  configuredDir?: string;
  /** The environment's XDG_RUNTIME_DIR, if set. */
  xdgRuntimeDir?: string;
  /** os.tmpdir(). */
  tmpDir: string;
}

export type DirKind = 'configured' | 'run' | 'xdg' | 'tmp';

export interface DirCandidate {
  kind: DirKind;
  dir: string;
}

/** `<tmp>/algorithmia-insights-<uid>`: per user, since /tmp is shared. */
export function tmpDirFor(tmpDir: string, uid: number): string {
  return join(tmpDir, `${PRODUCT}-${uid}`);
}

/** Prefix of the per-user tmp directories (root's client scans them: it cannot know the daemon's uid). */
export const TMP_DIR_PREFIX = `${PRODUCT}-`;

/**
 * The directories the daemon tries, in order, for a process of `uid`: the configured one alone
 * when set (relative to the config file's folder); else /run, XDG, then the per-user tmp one.
 */
export function socketDirCandidates(p: SocketPlaces, uid: number): DirCandidate[] {
  if (p.configuredDir !== undefined) return [{ kind: 'configured', dir: resolve(dirname(p.realConfigPath), p.configuredDir) }];
  const out: DirCandidate[] = [{ kind: 'run', dir: RUN_DIR }];
  if (p.xdgRuntimeDir) out.push({ kind: 'xdg', dir: join(p.xdgRuntimeDir, PRODUCT) });
  out.push({ kind: 'tmp', dir: tmpDirFor(p.tmpDir, uid) });
  return out;
}

/**
 * The socket paths a client tries, in order. It does not know the daemon's uid: its own uid's
 * tmp directory first, then (root only) every `algorithmia-insights-<uid>` found in tmp.
 */
export function clientSocketPaths(p: SocketPlaces, uid: number, tmpEntries: readonly string[] = []): string[] {
  const name = socketFileName(p.realConfigPath);
  const dirs = socketDirCandidates(p, uid).map((c) => c.dir);
  if (p.configuredDir === undefined && uid === 0) {
    for (const e of [...tmpEntries].sort()) {
      const dir = join(p.tmpDir, e);
      if (e.startsWith(TMP_DIR_PREFIX) && /^\d+$/.test(e.slice(TMP_DIR_PREFIX.length)) && !dirs.includes(dir)) dirs.push(dir);
    }
  }
  return dirs.map((d) => join(d, name));
}

export interface DirFacts {
  isDirectory: boolean;
  uid: number;
  mode: number;
}

/**
 * Whether the per-user tmp directory may hold our socket: ours and closed to group and others.
 * Anyone can create a name in /tmp first; a directory someone else made could be watched.
 */
export function tmpDirProblem(facts: DirFacts, uid: number): string | undefined {
  if (!facts.isDirectory) return 'not a directory';
  if (facts.uid !== uid) return `owned by uid ${facts.uid}, not ${uid}`;
  if ((facts.mode & 0o077) !== 0) return `mode ${(facts.mode & 0o777).toString(8).padStart(4, '0')} lets group or others in (want 0700)`;
  return undefined;
}
