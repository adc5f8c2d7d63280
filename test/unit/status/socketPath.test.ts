import { createHash } from 'node:crypto';
import { clientSocketPaths, RUN_DIR, socketDirCandidates, socketFileName, tmpDirProblem } from '../../../src/status/socketPath';

const CONF = '/etc/algorithmia-insights/conf.yaml';
const NAME = `status-${createHash('sha256').update(CONF).digest('hex').slice(0, 16)}.sock`;

describe('status socket name', () => {
  it('is status-<first 16 hex of sha256(real path)>.sock: one per configuration, short', () => {
    expect(socketFileName(CONF)).toBe(NAME);
    expect(socketFileName(CONF)).toMatch(/^status-[0-9a-f]{16}\.sock$/);
    expect(socketFileName('/etc/other.yaml')).not.toBe(NAME);
  });
});

describe('where the daemon binds', () => {
  it.each([
    ['nothing set', { tmpDir: '/tmp' }, 1000, [['run', RUN_DIR], ['tmp', '/tmp/algorithmia-insights-1000']]],
    ['XDG_RUNTIME_DIR set', { tmpDir: '/tmp', xdgRuntimeDir: '/run/user/1000' }, 1000, [['run', RUN_DIR], ['xdg', '/run/user/1000/algorithmia-insights'], ['tmp', '/tmp/algorithmia-insights-1000']]],
    ['the config key, absolute: that one only', { tmpDir: '/tmp', xdgRuntimeDir: '/x', configuredDir: '/var/run/aik' }, 0, [['configured', '/var/run/aik']]],
    ['the config key, relative to the config file', { tmpDir: '/tmp', configuredDir: 'sock' }, 0, [['configured', '/etc/algorithmia-insights/sock']]],
  ])('%s', (_, places, uid, expected) => {
    expect(socketDirCandidates({ realConfigPath: CONF, ...places }, uid).map((c) => [c.kind, c.dir])).toEqual(expected);
  });
});

describe('where the client looks', () => {
  it('in the daemon order, with its own uid in tmp', () => {
    expect(clientSocketPaths({ realConfigPath: CONF, tmpDir: '/tmp' }, 1000, ['algorithmia-insights-0', 'algorithmia-insights-1001'])).toEqual([
      `${RUN_DIR}/${NAME}`,
      `/tmp/algorithmia-insights-1000/${NAME}`,
    ]);
  });

  it('as root, also in every algorithmia-insights-<uid> of tmp (it cannot know the daemon uid)', () => {
    expect(clientSocketPaths({ realConfigPath: CONF, tmpDir: '/tmp', xdgRuntimeDir: '/run/user/0' }, 0, ['algorithmia-insights-1001', 'x', 'algorithmia-insights-0', 'algorithmia-insights-evil', 'algorithmia-insights-1000'])).toEqual([
      `${RUN_DIR}/${NAME}`,
      `/run/user/0/algorithmia-insights/${NAME}`,
      `/tmp/algorithmia-insights-0/${NAME}`,
      `/tmp/algorithmia-insights-1000/${NAME}`,
      `/tmp/algorithmia-insights-1001/${NAME}`,
    ]);
  });

  it('only in the configured directory when the config sets one', () => {
    expect(clientSocketPaths({ realConfigPath: CONF, tmpDir: '/tmp', configuredDir: '/srv/s' }, 0, ['algorithmia-insights-1000'])).toEqual([`/srv/s/${NAME}`]);
  });
});

describe('the per-user tmp directory', () => {
  it.each([
    [{ isDirectory: true, uid: 1000, mode: 0o40700 }, undefined],
    [{ isDirectory: true, uid: 1000, mode: 0o40750 }, 'mode 0750 lets group or others in (want 0700)'],
    [{ isDirectory: true, uid: 1000, mode: 0o40707 }, 'mode 0707 lets group or others in (want 0700)'],
    [{ isDirectory: true, uid: 0, mode: 0o40700 }, 'owned by uid 0, not 1000'],
    [{ isDirectory: false, uid: 1000, mode: 0o120777 }, 'not a directory'],
  ])('%j -> %s', (facts, problem) => {
    expect(tmpDirProblem(facts, 1000)).toBe(problem);
  });
});
