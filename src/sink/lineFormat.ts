/** DogStatsD line syntax: `name:value|type|#tags[|T<unix seconds>][|c:<container id>]`. */
import type { MetricType } from '../config/schema';

export const TYPE_CODES: Readonly<Record<MetricType, string>> = {
  gauge: 'g',
  count: 'c',
  histogram: 'h',
  distribution: 'd',
};

export function formatLine(name: string, value: number, type: MetricType, tags: string, timestampSec?: number): string {
  let line = `${name}:${value}|${TYPE_CODES[type]}`;
  if (tags.length > 0) line += `|#${tags}`;
  if (timestampSec !== undefined) line += `|T${timestampSec}`;
  return line;
}

/** A service check: `_sc|name|status|d:ts|#tags|m:message`; the message must come last. */
export function formatServiceCheck(name: string, status: 0 | 1 | 2 | 3, tags: string, message?: string, timestampSec?: number): string {
  let line = `_sc|${name}|${status}`;
  if (timestampSec !== undefined) line += `|d:${timestampSec}`;
  if (tags.length > 0) line += `|#${tags}`;
  // The message is free text from errors: keep it on one line and out of the field syntax.
  if (message) line += `|m:${message.replace(/[\r\n|]+/g, ' ').replace(/m:/g, 'm_').slice(0, 500)}`;
  return line;
}
