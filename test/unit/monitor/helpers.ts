/** Observations built by hand for the monitoring tests, and the test's own exact counts. */
import { KIND_EXCLUDED, KIND_NON_FINITE, KIND_NON_NUMERIC, KIND_NULL, KIND_VALUE, type Observations } from '../../../src/monitor';

export const MIN = 60_000;
export const HOUR = 3_600_000;
/** 2026-01-01T00:00:00Z, an hour (and slot) boundary. */
export const T0 = Date.UTC(2026, 0, 1);

export type Entry = 'usable' | 'null' | 'non_numeric' | 'non_finite' | 'excluded' | 'absent';
const KIND: Record<Exclude<Entry, 'absent'>, number> = { usable: KIND_VALUE, null: KIND_NULL, non_numeric: KIND_NON_NUMERIC, non_finite: KIND_NON_FINITE, excluded: KIND_EXCLUDED };

export interface Message {
  name?: string;
  version: string;
  time: number;
  /** field -> what it held (absent: no entry). */
  fields: Record<string, Entry>;
}

/** One chunk of observations, as the recorder would make it. */
export function observations(messages: Message[]): Observations {
  const versions: string[] = [];
  const versionIds = new Map<string, number>();
  const fields: string[] = [];
  const fieldIds = new Map<string, number>();
  const mv: number[] = [];
  const mt: number[] = [];
  const me: number[] = [];
  const vf: number[] = [];
  const vk: number[] = [];
  const vals: number[] = [];
  for (const m of messages) {
    const key = `${m.name ?? 'algo'}\u0000${m.version}`;
    let id = versionIds.get(key);
    if (id === undefined) {
      id = versions.length / 3;
      versions.push(m.name ?? 'algo', m.version, 'owner');
      versionIds.set(key, id);
    }
    mv.push(id);
    mt.push(m.time);
    for (const [field, entry] of Object.entries(m.fields)) {
      if (entry === 'absent') continue;
      let f = fieldIds.get(field);
      if (f === undefined) {
        f = fields.length;
        fields.push(field);
        fieldIds.set(field, f);
      }
      vf.push(f);
      vk.push(KIND[entry]);
      vals.push(entry === 'usable' ? (vals.length % 97) / 7 : NaN);
    }
    me.push(vf.length);
  }
  return {
    versions,
    fields,
    messageVersion: Int32Array.from(mv),
    messageTime: Float64Array.from(mt),
    messageEnd: Int32Array.from(me),
    valueField: Int32Array.from(vf),
    valueKind: Uint8Array.from(vk),
    values: Float64Array.from(vals),
  };
}

/** `count` messages of `version`, evenly over [from, to), field `pick(i)` for each field. */
export function spread(version: string, from: number, to: number, count: number, pick: (i: number) => Record<string, Entry>, name?: string): Message[] {
  return Array.from({ length: count }, (_, i) => ({ version, time: from + Math.floor(((to - from) * i) / count), fields: pick(i), ...(name === undefined ? {} : { name }) }));
}

/** The exact missing ratio of `field` over the messages of `version` in [from, to): missing / (executions - excluded). */
export function exactRatio(messages: Message[], version: string, field: string, from: number, to: number): number {
  let executions = 0;
  let excluded = 0;
  let usable = 0;
  for (const m of messages) {
    if (m.version !== version || m.time < from || m.time >= to) continue;
    executions++;
    const e = m.fields[field] ?? 'absent';
    if (e === 'excluded') excluded++;
    if (e === 'usable') usable++;
  }
  return (executions - excluded - usable) / (executions - excluded);
}
