/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time with file:line,
 * self time per package/area, and the inclusive time of the project's own functions.
 * Lines of compiled project files are mapped back to src/*.ts through their source maps.
 *
 * Only the active window counts (first to last sample inside a batch handler) unless --all.
 *
 * Usage: node dist/bench/profileSummary.js FILE.cpuprofile [--top 25] [--json] [--all]
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionRow {
  function: string;
  location: string;
  area: string;
  selfMs: number;
  selfPct: number;
  /** Hottest source lines inside the function (from positionTicks), mapped like `location`. */
  hotLines?: string[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time not idle: everything but the (idle) node. */
  busyMs: number;
  top: FunctionRow[];
  areas: Array<{ area: string; selfMs: number; selfPct: number }>;
  projectInclusive: Array<{ function: string; location: string; totalMs: number; totalPct: number }>;
}

const ROOT = resolve(__dirname, '../..');

// ---- source maps (VLQ "mappings" decoding, enough for line lookups) ----
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
type Segment = [genCol: number, src: number, srcLine: number, srcCol: number];
interface SourceMap {
  sources: string[];
  lines: Segment[][];
  dir: string;
}
const mapCache = new Map<string, SourceMap | null>();

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const lineText of mappings.split(';')) {
    const segs: Segment[] = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const vals: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += vals[0];
      if (vals.length >= 4) {
        src += vals[1];
        srcLine += vals[2];
        srcCol += vals[3];
        segs.push([genCol, src, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

function loadMap(jsPath: string): SourceMap | null {
  if (mapCache.has(jsPath)) return mapCache.get(jsPath) ?? null;
  let map: SourceMap | null = null;
  const mapPath = `${jsPath}.map`;
  if (existsSync(mapPath)) {
    try {
      const raw = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[]; mappings: string };
      map = { sources: raw.sources, lines: decodeMappings(raw.mappings), dir: resolve(jsPath, '..') };
    } catch {
      map = null;
    }
  }
  mapCache.set(jsPath, map);
  return map;
}

/** file:line (1-based) for a 0-based generated position, mapped to the .ts source when possible. */
function locate(url: string, line0: number, col0: number): string {
  if (!url) return '(native)';
  let path = url;
  if (url.startsWith('file://')) path = fileURLToPath(url);
  if (!path.startsWith('/')) return `${url}:${line0 + 1}`;
  const map = path.startsWith(resolve(ROOT, 'dist')) ? loadMap(path) : null;
  if (map && line0 >= 0 && line0 < map.lines.length) {
    const segs = map.lines[line0];
    let best: Segment | undefined;
    for (const s of segs) if (s[0] <= col0) best = s;
    best ??= segs[0];
    if (best) return `${relative(ROOT, resolve(map.dir, map.sources[best[1]]))}:${best[2] + 1}`;
  }
  return `${relative(ROOT, path)}:${line0 + 1}`;
}

function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/V8 builtins)';
  if (url.startsWith('node:')) return 'node core';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const rel = relative(ROOT, path);
  if (rel.startsWith('dist/src/')) return `src/${rel.slice('dist/src/'.length).split('/')[0]}`;
  return rel.startsWith('..') ? path : rel;
}

/** Functions that mark the active window: batch processing, eachBatch, decoding records (kafkajs's, or the check's src/source/recordBatchDecoder.ts), the encoder thread's chunks. */
const HANDLERS = new Set(['process', 'eachBatch', 'decodeRecord', 'decodeRecords', 'encodePacked']);

export function summarize(file: string, topN = 25, activeOnly = true): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // Sample i lasts until sample i+1 (DevTools' convention).
  const dur = new Map<number, number>(); // node id -> self microseconds
  const inclusive = new Map<string, number>();
  const { samples, timeDeltas } = profile;
  // Only the active window counts: from the first to the last sample inside a batch handler.
  // Start-up (connect, group join) is mostly idle and would hide where the busy time goes.
  let first = 0;
  let last = samples.length - 1;
  if (activeOnly) {
    const inHandler = (id: number): boolean => {
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const cf = byId.get(n)?.callFrame;
        if (cf && HANDLERS.has(cf.functionName) && /\/dist\/(src|bench)\/|\/node_modules\/kafkajs\//.test(cf.url)) return true;
      }
      return false;
    };
    const hits = samples.map((id, i) => (inHandler(id) ? i : -1)).filter((i) => i >= 0);
    if (hits.length > 0) [first, last] = [hits[0], hits[hits.length - 1]];
  }
  let total = 0;
  for (let i = first; i <= last; i++) {
    const d = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    if (d <= 0) continue;
    total += d;
    dur.set(samples[i], (dur.get(samples[i]) ?? 0) + d);
    // inclusive time of project functions: once per distinct function on the stack
    const seen = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)?.callFrame;
      if (!cf || !cf.url.includes('/dist/src/')) continue;
      const key = `${cf.functionName || '(anonymous)'}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + d);
    }
  }
  // Aggregate self time by function (a function appears as several nodes, one per call path).
  const rows = new Map<string, { cf: CallFrame; us: number; ticks: Map<number, number> }>();
  let idle = 0;
  for (const [id, us] of dur) {
    const node = byId.get(id);
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') idle += us;
    const key = `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { cf, us: 0, ticks: new Map() }));
    row.us += us;
    for (const pt of node.positionTicks ?? []) row.ticks.set(pt.line, (row.ticks.get(pt.line) ?? 0) + pt.ticks);
  }
  const pct = (us: number) => Math.round((us / total) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  const sorted = [...rows.values()].sort((a, b) => b.us - a.us);
  const top: FunctionRow[] = sorted.slice(0, topN).map(({ cf, us, ticks }) => {
    const hot = [...ticks].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const tickSum = [...ticks.values()].reduce((a, b) => a + b, 0);
    return {
      function: cf.functionName || '(anonymous)',
      location: locate(cf.url, cf.lineNumber, cf.columnNumber),
      area: area(cf.url, cf.functionName),
      selfMs: ms(us),
      selfPct: pct(us),
      hotLines: cf.url && hot.length > 0 ? hot.map(([line, t]) => `${locate(cf.url, line - 1, 0)} (${Math.round((t / tickSum) * 100)}%)`) : undefined,
    };
  });
  const areaTotals = new Map<string, number>();
  for (const { cf, us } of rows.values()) {
    const a = area(cf.url, cf.functionName);
    areaTotals.set(a, (areaTotals.get(a) ?? 0) + us);
  }
  const areas = [...areaTotals].sort((a, b) => b[1] - a[1]).map(([a, us]) => ({ area: a, selfMs: ms(us), selfPct: pct(us) }));
  const projectInclusive = [...inclusive]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([key, us]) => {
      const [fn, url, line, col] = key.split('\u0000');
      return { function: fn, location: locate(url, Number(line), Number(col)), totalMs: ms(us), totalPct: pct(us) };
    });
  return { file, totalMs: ms(total), busyMs: ms(total - idle), top, areas, projectInclusive };
}

export function formatSummary(s: ProfileSummary): string {
  const out: string[] = [];
  out.push(`${s.file}: ${s.totalMs} ms sampled in the active window (first to last batch), ${s.busyMs} ms not idle`);
  out.push('');
  out.push(`Top ${s.top.length} functions by self time:`);
  out.push(`${'self ms'.padStart(9)} ${'%'.padStart(5)}  ${'function'.padEnd(34)} ${'area'.padEnd(22)} location`);
  for (const r of s.top) {
    out.push(`${r.selfMs.toFixed(1).padStart(9)} ${r.selfPct.toFixed(1).padStart(5)}  ${r.function.slice(0, 34).padEnd(34)} ${r.area.slice(0, 22).padEnd(22)} ${r.location}`);
    if (r.hotLines && r.area.startsWith('src/')) out.push(`${''.padStart(17)}hot lines: ${r.hotLines.join(', ')}`);
  }
  out.push('');
  out.push('Self time by area:');
  for (const a of s.areas.slice(0, 20)) out.push(`${a.selfMs.toFixed(1).padStart(9)} ${a.selfPct.toFixed(1).padStart(5)}  ${a.area}`);
  out.push('');
  out.push('Project functions by inclusive time (self + callees):');
  for (const p of s.projectInclusive) out.push(`${p.totalMs.toFixed(1).padStart(9)} ${p.totalPct.toFixed(1).padStart(5)}  ${p.function.slice(0, 40).padEnd(40)} ${p.location}`);
  return out.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const files = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--top');
  const topIdx = args.indexOf('--top');
  const topN = topIdx >= 0 ? Number(args[topIdx + 1]) : 25;
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/profileSummary.js FILE.cpuprofile [--top 25] [--json] [--all]\n');
    process.exit(2);
  }
  for (const f of files) {
    const s = summarize(f, topN, !args.includes('--all'));
    process.stdout.write(args.includes('--json') ? JSON.stringify(s, null, 2) + '\n' : formatSummary(s) + '\n\n');
  }
}
