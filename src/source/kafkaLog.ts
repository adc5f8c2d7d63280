/**
 * kafkajs's own log lines, folded into ours. The failures it logs once per retry (connection
 * errors, seed broker retries, SASL failures, the consumer's crash and restart) reach us as
 * errors and socket events, are classified (kafkaCauses.ts) and logged once per change of
 * state by the health state: here they go to debug only. Every other line keeps its level
 * without stack traces or nested errors (those are for debug), rate-limited per line.
 */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '../log/logger';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Namespaces whose failures we report ourselves, classified (by kafkajs's logger name, not by text). */
const FOLDED = ['Connection', 'BrokerPool', 'SaslAuthenticator-'];

/** Whether kafkajs's entry repeats a failure that reaches us as an error or a socket event. */
export function isFolded(namespace: string, entry: Record<string, unknown>): boolean {
  if (FOLDED.some((n) => namespace === n || (n.endsWith('-') && namespace.startsWith(n)))) return true;
  // The consumer's crash and restart lines (both carry retryCount): the CRASH event brings the error.
  return namespace === 'Consumer' && 'retryCount' in entry;
}

/** Fields safe and short enough for a warning: no stack, no nested error object, nothing SASL-shaped. */
export function warningFields(entry: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (k === 'message' || k === 'timestamp' || k === 'logger' || k === 'stack' || k === 'sasl' || k === 'password') continue;
    if (v instanceof Error || (typeof v === 'object' && v !== null && 'stack' in v)) continue;
    out[k] = v;
  }
  return out;
}

export function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const lvl = LEVELS[level] ?? 'info';
      const e = entry as unknown as Record<string, unknown>;
      const message = String(e.message);
      if (lvl === 'debug' || lvl === 'info' || isFolded(namespace, e)) {
        // kafkajs entries never carry credentials, but be strict: drop anything SASL-shaped.
        const { sasl: _s, password: _p, message: _m, timestamp: _t, logger: _l, ...rest } = e;
        log.debug(`kafka: ${message}`, { namespace, ...rest });
        return;
      }
      log.rateLimited(`kafkajs:${namespace}:${message}`, lvl === 'error' ? 'warn' : lvl, `kafka: ${message}`, { namespace, ...warningFields(e) });
    };
}
