/**
 * Drift state snapshot, binary, little-endian:
 *
 *   "DRFT" | format version u32 (= 1) | payload length u32 | CRC-32 of payload u32 | payload
 *   payload: seed u32, untracked f64, version count u32, then per version:
 *     name, version, owner (u32 byte length + UTF-8), newest f64, earliest f64, field count u32,
 *     per field: field (string), entry count u8, per entry: index u8, id f64, sketch (Sketch.write)
 *   A slot's sketch has k = SLOT_K; an hour's SLOT_K or HOUR_K (state.ts: hours start at the
 *   slots' resolution). Files of the previous release (every hour at HOUR_K) read the same.
 *
 * Reading never throws: too short or cut -> 'truncated'; wrong magic, checksum mismatch, trailing
 * bytes or any inconsistent value -> 'corrupt'; another format version -> 'unknown_version'.
 */
import { ByteReader, ByteWriter, TruncatedError, crc32 } from './bytes';
import { readSketch, writeSketch } from './sketchCodec';
import { ENTRIES, HOUR_K, HOUR_RING, SLOT_K, Series, VersionState } from './state';
import { WINDOW_SLOTS } from './time';

export const SNAPSHOT_FORMAT = 1;
const MAGIC = [0x44, 0x52, 0x46, 0x54]; // "DRFT"
const HEADER = 16;

export type RestoreFailure = { ok: false; reason: 'truncated' | 'corrupt' | 'unknown_version' };

export function writeSnapshot(byName: Map<string, Map<string, VersionState>>, seed: number, untracked: number): Uint8Array {
  const w = new ByteWriter();
  w.u32(seed);
  w.f64(untracked);
  let count = 0;
  for (const versions of byName.values()) count += versions.size;
  w.u32(count);
  for (const versions of byName.values()) {
    for (const vs of versions.values()) {
      w.str(vs.name);
      w.str(vs.version);
      w.str(vs.owner);
      w.f64(vs.newest);
      w.f64(vs.earliest);
      w.u32(vs.fields.size);
      for (const [field, s] of vs.fields) {
        w.str(field);
        let entries = 0;
        for (let i = 0; i < ENTRIES; i++) if (s.sketches[i] !== undefined) entries++;
        w.u8(entries);
        for (let i = 0; i < ENTRIES; i++) {
          const sk = s.sketches[i];
          if (sk === undefined) continue;
          w.u8(i);
          w.f64(s.ids[i]);
          writeSketch(w, sk);
        }
      }
    }
  }
  const payload = w.bytes();
  const out = new Uint8Array(HEADER + payload.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, SNAPSHOT_FORMAT, true);
  view.setUint32(8, payload.length, true);
  view.setUint32(12, crc32(payload), true);
  out.set(payload, HEADER);
  return out;
}

export type ReadResult = { ok: true; seed: number; untracked: number; versions: VersionState[] } | RestoreFailure;

const corrupt: RestoreFailure = { ok: false, reason: 'corrupt' };

export function readSnapshot(bytes: Uint8Array): ReadResult {
  try {
    return read(bytes);
  } catch (e) {
    return { ok: false, reason: e instanceof TruncatedError ? 'truncated' : 'corrupt' };
  }
}

function read(bytes: Uint8Array): ReadResult {
  if (!(bytes instanceof Uint8Array)) return corrupt;
  for (let i = 0; i < Math.min(4, bytes.length); i++) if (bytes[i] !== MAGIC[i]) return corrupt;
  if (bytes.length < HEADER) return { ok: false, reason: 'truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, true) !== SNAPSHOT_FORMAT) return { ok: false, reason: 'unknown_version' };
  const length = view.getUint32(8, true);
  if (HEADER + length > bytes.length) return { ok: false, reason: 'truncated' };
  if (HEADER + length < bytes.length) return corrupt;
  if (crc32(bytes, HEADER) !== view.getUint32(12, true)) return corrupt;
  const r = new ByteReader(bytes.subarray(HEADER));
  const seed = r.u32();
  const untracked = r.f64();
  if (!Number.isSafeInteger(untracked) || untracked < 0) return corrupt;
  const count = r.u32();
  const versions: VersionState[] = [];
  const seen = new Set<string>();
  for (let v = 0; v < count; v++) {
    const vs = new VersionState(r.str(), r.str(), r.str());
    const key = JSON.stringify([vs.name, vs.version]);
    if (seen.has(key)) return corrupt;
    seen.add(key);
    const newest = r.f64();
    const earliest = r.f64();
    if (!Number.isFinite(newest) || !Number.isFinite(earliest) || earliest > newest) return corrupt;
    vs.see(newest);
    vs.see(earliest);
    const fields = r.u32();
    for (let f = 0; f < fields; f++) {
      const field = r.str();
      if (vs.fields.has(field)) return corrupt;
      const s = new Series();
      const entries = r.u8();
      for (let e = 0; e < entries; e++) {
        const i = r.u8();
        const id = r.f64();
        if (i >= ENTRIES || s.sketches[i] !== undefined || !Number.isSafeInteger(id) || id < -2147483647 || id > 2147483647) return corrupt;
        const expected = i < WINDOW_SLOTS ? mod(id, WINDOW_SLOTS) : WINDOW_SLOTS + mod(id, HOUR_RING);
        if (expected !== i) return corrupt;
        const sk = readSketch(r);
        if (sk === undefined || !(sk.k === SLOT_K || (i >= WINDOW_SLOTS && sk.k === HOUR_K))) return corrupt;
        s.ids[i] = id;
        s.sketches[i] = sk;
      }
      vs.fields.set(field, s);
    }
    versions.push(vs);
  }
  if (r.remaining() !== 0) return corrupt;
  return { ok: true, seed, untracked, versions };
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
