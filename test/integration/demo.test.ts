/** The README's first command, in a bounded form: `npm run demo -- --count N` (built output). */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

jest.setTimeout(180_000);

it('demo: starts a broker, produces samples, prints their DogStatsD lines from a dry run, stops everything', async () => {
  const demo = resolve(__dirname, '../../dist/scripts/demo.js');
  const proc = spawn(process.execPath, [demo, '--count', '12'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  expect({ code, tail: code === 0 ? '' : err.slice(-2000) }).toEqual({ code: 0, tail: '' });
  const values = out
    .split('\n')
    .filter((l) => l.startsWith('algorithmia.duration_milliseconds:'))
    .flatMap((l) => l.slice(l.indexOf(':') + 1, l.indexOf('|')).split(':'));
  expect(values).toHaveLength(12);
  expect(out).toMatch(/algorithmia\.forwarder\.messages\.rejected:1\|c\|#.*reason:invalid_json/);
  expect(err).toContain('36 metric values for 12 messages');
  expect(err).toContain('broker stopped; nothing left running');
});
