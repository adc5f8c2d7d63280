/**
 * An Insights record -> metric points. Every numeric (or boolean) field becomes
 * `<prefix><field>`; operational string fields become tags. Each value that is not sent is
 * reported to the sink's `drop` with a reason, so the counters add up.
 *
 * Per-config work (tag strings, name checks, type lookups) is done once and cached; per
 * message the work is a few map lookups and string concatenations.
 */
import type { MetricType } from './metricTypes';
import { InsightsError } from '../errors';
import { DURATION_FIELD, type DropReason, type GuardedTag, type MissingReason, RESERVED_NAMESPACES } from './dropReasons';
import type { InsightsRecord } from '../decode/decodeMessage';
import { emptyMessageFields, fieldsOfRecord, VALUE_NULL, VALUE_NUMBER, VALUE_OTHER, type MessageFields } from '../decode/messageFields';
import { CardinalityGuard, OVERFLOW } from './cardinalityGuard';
import { formatTag, isValidMetricName, MAX_METRIC_NAME, sanitizeMetricField } from './sanitize';
import { parseInsightsTime } from './time';

export interface MappingOptions {
  prefix: string;
  defaultType: MetricType;
  types: Readonly<Record<string, MetricType>>;
  tagRequestId: boolean;
  tagSessionId: boolean;
  useMessageTime: boolean;
  allow: readonly RegExp[];
  deny: readonly RegExp[];
  /** Already formatted `key:value` tags added to every point (env, DD_TAGS, instance tags). */
  staticTags: readonly string[];
  /** Stamped points older than this are dropped as too_old (Datadog drops them anyway). */
  maxAgeSeconds: number;
  /** Fairness checks: the fields they read, and the algorithms they apply to (absent: all). */
  fairness?: readonly FairnessFields[];
}

export interface FairnessFields {
  outcome: string;
  groupField: string;
  algorithms?: readonly string[];
}

/** A field's fairness role for an algorithm: bits. */
const GROUP = 1;
const OUTCOME = 2;

export type { GuardedTag };

export interface PointSink {
  point(name: string, value: number, type: MetricType, tags: string, timestampSec: number | undefined): void;
  drop(reason: DropReason): void;
  /** A value sent with `tag` set to `overflow` by the cardinality guard. */
  overflow(tag: GuardedTag): void;
}

/**
 * Watches what the mapping does with each message (model monitoring): told of each message
 * whose name and version go out as they came (not `overflow`), then of each of its values but
 * the duration: emitted (`value`), or, when `tracksMissing`, not usable and why (`missing`).
 */
export interface ValueObserver {
  /** A message whose values follow; false: skip them. */
  message(fields: MessageFields): boolean;
  /** An emitted value; `field` is its metric name after the prefix. */
  value(field: string, value: number): void;
  /** True: also tell `missing` (field health); false spares the lookups. */
  readonly tracksMissing?: boolean;
  /** A field of the message with no usable value; `field` as for `value`. */
  missing?(field: string, reason: MissingReason): void;
  /** Fairness: the group value of `field` (its name as in the message); never a metric. */
  group?(field: string, value: string | number): void;
  /** Fairness: the outcome of `field` (its name as in the message); NaN: not usable. */
  outcome?(field: string, value: number): void;
}

/** `field`: the metric name after the prefix (sanitised); a drop keeps it when there is one. */
type NameEntry = { name: string; type: MetricType; field: string } | { drop: DropReason; field?: string };

/** Caches are bounded: a stream that invents a key per message must not grow memory. */
const CACHE_LIMIT = 20_000;

export class Mapper {
  private readonly names = new Map<string, NameEntry>();
  private readonly tagSets = new Map<string, Map<unknown, Map<unknown, string>>>();
  private tagSetCount = 0;
  private readonly scratch = emptyMessageFields();
  private readonly staticTagString: string;
  /** A Map, not the config object: a field named `constructor` must not find Object's. */
  private readonly types: ReadonlyMap<string, MetricType>;
  /** Per algorithm name: its fields' fairness roles (null: no check applies). */
  private readonly roles = new Map<string, ReadonlyMap<string, number> | null>();
  /** The record being mapped when it came through JSON.parse: where a string group value is read. */
  private record: InsightsRecord | undefined;

  constructor(
    private readonly opts: MappingOptions,
    private readonly guard: CardinalityGuard,
    private readonly observer?: ValueObserver,
  ) {
    if (!isValidMetricName(opts.prefix + 'x')) throw new InsightsError('CONFIG_INVALID', `invalid metric prefix ${JSON.stringify(opts.prefix)}`);
    this.staticTagString = opts.staticTags.join(',');
    this.types = new Map(Object.entries(opts.types));
  }

  /** A parsed record (`nonFinite`: top-level keys whose value was a bare NaN/Infinity token, now null). */
  map(record: InsightsRecord, nowMs: number, out: PointSink, nonFinite?: ReadonlySet<string>): void {
    this.record = record;
    try {
      this.mapFields(fieldsOfRecord(record, nonFinite, this.scratch), nowMs, out);
    } finally {
      this.record = undefined;
    }
  }

  /**
   * True when a fairness check needs a string value the byte scanner does not keep (a group
   * field holding a string): the caller maps the message's parsed record instead.
   */
  wantsText(message: MessageFields): boolean {
    if (this.opts.fairness === undefined) return false;
    const roles = this.rolesOf(message.algorithmName);
    if (roles === null) return false;
    for (let k = 0; k < message.count; k++) if (message.kinds[k] === VALUE_OTHER && ((roles.get(message.keys[k]) ?? 0) & GROUP) !== 0) return true;
    return false;
  }

  mapFields(message: MessageFields, nowMs: number, out: PointSink): void {
    // The guard may replace the name or the version tag with `overflow` (values still go out).
    const nameOverflow = !this.guard.allowAlgorithm(message.algorithmName, nowMs);
    const algorithm = nameOverflow ? OVERFLOW : message.algorithmName;
    const budget = this.guard.budget(algorithm);
    const rawVersion = message.version;
    const versionOverflow = rawVersion !== undefined && rawVersion !== null && !budget.allowVersion(String(rawVersion), nowMs);
    const tags = this.tagsFor(message, algorithm, versionOverflow ? OVERFLOW : rawVersion);
    const nonFinite = message.nonFinite;
    let stampSec: number | undefined;
    let stampTried = false;
    const observer = this.observer !== undefined && !nameOverflow && !versionOverflow && this.observer.message(message) ? this.observer : undefined;
    const missing = observer?.tracksMissing === true ? observer : undefined;
    const roles = this.opts.fairness === undefined ? null : this.rolesOf(message.algorithmName);

    for (let k = 0; k < message.count; k++) {
      const field = message.keys[k];
      const kind = message.kinds[k];
      const role = roles === null ? 0 : (roles.get(field) ?? 0);
      if (role !== 0) {
        if ((role & OUTCOME) !== 0) observer?.outcome?.(field, kind === VALUE_NUMBER && Number.isFinite(message.numbers[k]) ? message.numbers[k] : NaN);
        // A group field is the check's alone: no metric, no drop, no missing value.
        if ((role & GROUP) !== 0) {
          if (observer !== undefined) this.tellGroup(observer, field, kind, message.numbers[k]);
          continue;
        }
      }
      if (kind !== VALUE_NUMBER) {
        const reason = kind !== VALUE_NULL ? 'non_numeric' : nonFinite?.has(field) ? 'non_finite' : 'null';
        // The counter keeps its reasons: a null is counted as non_numeric there.
        out.drop(reason === 'null' ? 'non_numeric' : reason);
        if (missing !== undefined) this.tellMissing(missing, field, reason);
        continue;
      }
      const value = message.numbers[k];
      if (!Number.isFinite(value)) {
        out.drop('non_finite');
        if (missing !== undefined) this.tellMissing(missing, field, 'non_finite');
        continue;
      }

      const entry = this.nameFor(field);
      if ('drop' in entry) {
        out.drop(entry.drop);
        if (missing !== undefined && entry.field !== undefined) missing.missing?.(entry.field, 'excluded');
        continue;
      }
      if (field !== DURATION_FIELD && !budget.allowName(entry.name, nowMs)) {
        out.drop('cardinality');
        missing?.missing?.(entry.field, 'excluded');
        continue;
      }

      let ts: number | undefined;
      if (this.opts.useMessageTime && (entry.type === 'gauge' || entry.type === 'count')) {
        if (!stampTried) {
          stampTried = true;
          const ms = parseInsightsTime(message.time);
          stampSec = ms === undefined ? undefined : Math.floor(ms / 1000);
        }
        if (stampSec !== undefined && stampSec < nowMs / 1000 - this.opts.maxAgeSeconds) {
          out.drop('too_old');
          if (field !== DURATION_FIELD) missing?.missing?.(entry.field, 'excluded');
          continue;
        }
        ts = stampSec;
      }
      out.point(entry.name, value === 0 ? 0 : value, entry.type, tags, ts);
      if (observer !== undefined && field !== DURATION_FIELD) observer.value(entry.field, value === 0 ? 0 : value);
      if (nameOverflow) out.overflow('algorithm_name');
      if (versionOverflow) out.overflow('algorithm_version');
    }
  }

  /**
   * A value that is not usable, by the field part of its name (so that it meets the series of
   * its usable values); a field dropped on purpose is excluded whatever its value was. Its
   * name is not put to the cardinality guard: asking would admit it.
   */
  private tellMissing(observer: ValueObserver, field: string, reason: MissingReason): void {
    if (field === DURATION_FIELD) return;
    const entry = this.nameFor(field);
    if ('drop' in entry) {
      if (entry.field !== undefined) observer.missing?.(entry.field, 'excluded');
    } else observer.missing?.(entry.field, reason);
  }

  /** A group value: a finite number or a string; anything else (null, an object) is no group. */
  private tellGroup(observer: ValueObserver, field: string, kind: number, n: number): void {
    if (kind === VALUE_NUMBER) {
      if (Number.isFinite(n)) observer.group?.(field, n === 0 ? 0 : n);
      return;
    }
    const v = this.record?.[field];
    if (kind === VALUE_OTHER && typeof v === 'string') observer.group?.(field, v);
  }

  private rolesOf(algorithm: string): ReadonlyMap<string, number> | null {
    let roles = this.roles.get(algorithm);
    if (roles !== undefined) return roles;
    const m = new Map<string, number>();
    for (const c of this.opts.fairness ?? []) {
      if (c.algorithms !== undefined && !c.algorithms.includes(algorithm)) continue;
      m.set(c.groupField, (m.get(c.groupField) ?? 0) | GROUP);
      m.set(c.outcome, (m.get(c.outcome) ?? 0) | OUTCOME);
    }
    roles = m.size === 0 ? null : m;
    if (this.roles.size >= CACHE_LIMIT) this.roles.clear();
    this.roles.set(algorithm, roles);
    return roles;
  }

  private nameFor(field: string): NameEntry {
    let entry = this.names.get(field);
    if (entry) return entry;
    entry = this.resolveName(field);
    if (this.names.size >= CACHE_LIMIT) this.names.clear();
    this.names.set(field, entry);
    return entry;
  }

  private resolveName(field: string): NameEntry {
    const part = sanitizeMetricField(field);
    if (part === undefined) return { drop: 'bad_name' };
    const name = this.opts.prefix + part;
    if (name.length > MAX_METRIC_NAME) return { drop: 'bad_name' };
    if (RESERVED_NAMESPACES.some((ns) => name.startsWith(ns))) return { drop: 'reserved', field: part };
    // The check metric of the manifest and the dashboards: never filtered out.
    if (field !== DURATION_FIELD) {
      if (this.opts.allow.length > 0 && !this.opts.allow.some((re) => re.test(field))) return { drop: 'denied', field: part };
      if (this.opts.deny.some((re) => re.test(field))) return { drop: 'denied', field: part };
    }
    return { name, type: this.types.get(field) ?? this.opts.defaultType, field: part };
  }

  private tagsFor(message: MessageFields, algorithm: string, version: unknown): string {
    const owner = message.owner;
    // Nested maps keyed by the values themselves: no key string to build, and no separator
    // that could make two different triples collide.
    let byVersion = this.tagSets.get(algorithm);
    if (!byVersion) this.tagSets.set(algorithm, (byVersion = new Map()));
    let byOwner = byVersion.get(version);
    if (!byOwner) byVersion.set(version, (byOwner = new Map()));
    let tags = byOwner.get(owner);
    if (tags === undefined) {
      const parts = [
        formatTag('algorithm_name', algorithm),
        formatTag('algorithm_version', version),
        formatTag('algorithm_owner', owner),
      ].filter((t): t is string => t !== undefined);
      if (this.staticTagString) parts.push(this.staticTagString);
      tags = parts.join(',');
      if (++this.tagSetCount > CACHE_LIMIT) {
        this.tagSets.clear();
        this.tagSetCount = 0;
      }
      byOwner.set(owner, tags);
    }
    if (this.opts.tagRequestId || this.opts.tagSessionId) {
      const extra = [
        this.opts.tagRequestId ? formatTag('request_id', message.requestId) : undefined,
        this.opts.tagSessionId ? formatTag('session_id', message.sessionId) : undefined,
      ].filter((t): t is string => t !== undefined);
      if (extra.length > 0) tags = `${tags},${extra.join(',')}`;
    }
    return tags;
  }
}
