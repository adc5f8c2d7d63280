import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log/logger';

function capture(format: 'json' | 'pretty', level: 'debug' | 'info' | 'warn' | 'error' = 'info', now = () => 0) {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  const log = createLogger({ level, format, stream, now, perMinute: 3 });
  return { log, lines: () => out.split('\n').filter(Boolean) };
}

describe('logger', () => {
  it('writes one JSON object per line with level, message, bindings and fields', () => {
    const { log, lines } = capture('json');
    log.child({ instance: 'i1' }).warn('hello', { a: 1, err: new Error('boom') });
    expect(lines()).toHaveLength(1);
    expect(JSON.parse(lines()[0])).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'hello', instance: 'i1', a: 1, err: { name: 'Error', message: 'boom' } });
  });

  it('keeps a record on one line even when a field holds newlines', () => {
    const { log, lines } = capture('json');
    log.info('x', { detail: 'a\nb' });
    expect(lines()).toHaveLength(1);
  });

  it('drops levels below the configured one', () => {
    const { log, lines } = capture('json', 'warn');
    log.debug('d');
    log.info('i');
    log.error('e');
    expect(lines().map((l) => JSON.parse(l).msg)).toEqual(['e']);
  });

  it('is human-readable in pretty mode', () => {
    const { log, lines } = capture('pretty');
    log.info('started', { topic: 't' });
    expect(lines()[0]).toBe('1970-01-01T00:00:00.000Z INFO  started topic=t');
  });

  it('rate-limits per key and reports how many were suppressed', () => {
    let t = 0;
    const { log, lines } = capture('json', 'info', () => t);
    for (let i = 0; i < 10; i++) log.rateLimited('bad', 'warn', 'bad message', { i });
    log.rateLimited('other', 'warn', 'other message');
    expect(lines().map((l) => JSON.parse(l).msg)).toEqual(['bad message', 'bad message', 'bad message', 'other message']);
    t = 61_000;
    log.rateLimited('bad', 'warn', 'bad message', { i: 99 });
    const last = lines().slice(-2).map((l) => JSON.parse(l));
    expect(last[0]).toMatchObject({ msg: '7 more like this were not logged', suppressed: 7 });
    expect(last[1]).toMatchObject({ msg: 'bad message', i: 99 });
  });
});
