/**
 * The monitoring state as one file, one section per signal, little-endian:
 *
 *   "DRFT" | format u32 (= 2) | payload length u32 | CRC-32 of payload u32 | payload
 *   payload: section count u32, per section: name (u32 byte length + UTF-8), length u32, bytes
 *
 * Sections: `drift` (the drift tracker's own snapshot, drift/snapshot.ts, whole), `field_health`
 * (fieldHealthCodec.ts); fairness adds its own. A format 1 file (the previous release: the drift
 * snapshot alone, same magic) reads as its `drift` section. A section this release does not know
 * is ignored (a newer release's signal). Reading never throws.
 */
import { crc32 } from '../drift/bytes';
import { SNAPSHOT_FORMAT as DRIFT_FORMAT } from '../drift/snapshot';

export const STATE_FORMAT = 2;
const MAGIC = [0x44, 0x52, 0x46, 0x54]; // "DRFT", as format 1
const HEADER = 16;

export type StateFailure = { ok: false; reason: 'truncated' | 'corrupt' | 'unknown_version' };
export type StateSections = Map<string, Uint8Array>;

export function writeState(sections: StateSections): Uint8Array {
  const parts: Uint8Array[] = [];
  const u32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    parts.push(b);
  };
  u32(sections.size);
  for (const [name, bytes] of sections) {
    const n = Buffer.from(name, 'utf8');
    u32(n.length);
    parts.push(n);
    u32(bytes.length);
    parts.push(bytes);
  }
  const length = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(HEADER + length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, STATE_FORMAT, true);
  view.setUint32(8, length, true);
  let pos = HEADER;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  view.setUint32(12, crc32(out, HEADER), true);
  return out;
}

export function readState(bytes: Uint8Array): { ok: true; sections: StateSections } | StateFailure {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: 'corrupt' };
  for (let i = 0; i < Math.min(4, bytes.length); i++) if (bytes[i] !== MAGIC[i]) return { ok: false, reason: 'corrupt' };
  if (bytes.length < HEADER) return { ok: false, reason: 'truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint32(4, true);
  // The previous release's file: drift's snapshot, checked when drift reads it.
  if (format === DRIFT_FORMAT) return { ok: true, sections: new Map([['drift', bytes]]) };
  if (format !== STATE_FORMAT) return { ok: false, reason: 'unknown_version' };
  const length = view.getUint32(8, true);
  if (HEADER + length > bytes.length) return { ok: false, reason: 'truncated' };
  if (HEADER + length < bytes.length) return { ok: false, reason: 'corrupt' };
  if (crc32(bytes, HEADER) !== view.getUint32(12, true)) return { ok: false, reason: 'corrupt' };
  const sections: StateSections = new Map();
  let pos = HEADER;
  const u32 = (): number | undefined => {
    if (pos + 4 > bytes.length) return undefined;
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const count = u32();
  if (count === undefined) return { ok: false, reason: 'corrupt' };
  for (let s = 0; s < count; s++) {
    const nameLength = u32();
    if (nameLength === undefined || pos + nameLength > bytes.length) return { ok: false, reason: 'corrupt' };
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + pos, nameLength).toString('utf8');
    pos += nameLength;
    const size = u32();
    if (size === undefined || pos + size > bytes.length || sections.has(name)) return { ok: false, reason: 'corrupt' };
    sections.set(name, bytes.subarray(pos, pos + size));
    pos += size;
  }
  if (pos !== bytes.length) return { ok: false, reason: 'corrupt' };
  return { ok: true, sections };
}
