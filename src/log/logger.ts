/**
 * Structured logs: one JSON object per line on stderr (or a readable line on a terminal).
 * Per-message problems go through `rateLimited`, so a flood of bad messages costs a few lines.
 * Callers never pass secrets; `fields` values are printed as given.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Logs at most `perMinute` events per key and minute, then one summary of how many were suppressed. */
  rateLimited(key: string, level: Level, msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: Level;
  format: 'json' | 'pretty' | 'auto';
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  perMinute?: number;
  now?: () => number;
}

interface Window {
  start: number;
  count: number;
  suppressed: number;
}

export function createLogger(opts: LoggerOptions, bindings: Record<string, unknown> = {}, windows = new Map<string, Window>()): Logger {
  const stream = opts.stream ?? process.stderr;
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && stream.isTTY === true);
  const min = RANK[opts.level];
  const perMinute = opts.perMinute ?? 10;
  const now = opts.now ?? Date.now;

  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    const t = new Date(now()).toISOString();
    const record = { time: t, level, msg, ...bindings, ...fields };
    if (pretty) {
      const extra = Object.entries({ ...bindings, ...fields })
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      stream.write(`${t} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ''}\n`);
    } else {
      stream.write(JSON.stringify(record, errorReplacer) + '\n');
    }
  };

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    rateLimited(key, level, msg, fields) {
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= 60_000) {
        if (w && w.suppressed > 0) write(level, `${w.suppressed} more like this were not logged`, { key, suppressed: w.suppressed });
        w = { start: t, count: 0, suppressed: 0 };
        windows.set(key, w);
      }
      if (w.count < perMinute) {
        w.count++;
        write(level, msg, fields);
      } else w.suppressed++;
    },
    child: (more) => createLogger(opts, { ...bindings, ...more }, windows),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...('code' in value ? { code: (value as { code: unknown }).code } : {}) };
  return value;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  rateLimited: () => undefined,
  child: () => silentLogger,
};
