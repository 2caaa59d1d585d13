// What the wrapper handlers share: the tree of named parts a multi-part wrapper opens to (TRX partitions,
// FIT images, the files of a multi-file uImage, a TP-Link kernel and rootfs), and integrity checks computed
// over a ByteSource piece by piece, so checking a 30 MiB partition never holds it whole.
import { createHash } from 'node:crypto';
import type { ByteSource } from '../byte-source.js';
import { crc32 } from '../codecs/checksums.js';
import type { OpenContext } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';

const PIECE = 1 << 20;

export interface Part {
  name: string;
  data: ByteSource;
  mtime?: number;
}

/**
 * A name from a header made safe as one path segment: header strings are hostile ("../../etc/x", NULs,
 * control bytes), and a wrapper's parts are flat, so anything that would make a directory is replaced.
 */
export function safeName(raw: string, fallback: string): string {
  const cleaned = raw.replace(/[\x00-\x1f\x7f/\\]/g, '_').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return fallback;
  return cleaned.slice(0, 255);
}

/** A flat tree of the parts, contents read on demand from their sources; repeated names get a suffix. */
export function partsTree(format: string, parts: readonly Part[], ctx: OpenContext): MemoryTree {
  const tree = new MemoryTree(format, (code, message, path) => ctx.problem(code, message, path), ctx.limits.maxFiles);
  const used = new Set<string>();
  for (const [i, part] of parts.entries()) {
    let name = safeName(part.name, `part-${i}`);
    for (let n = 2; used.has(name); n++) name = `${safeName(part.name, `part-${i}`)}-${n}`;
    used.add(name);
    const data = part.data;
    tree.add({ path: name, type: 'file', mode: 0o644, size: data.size, mtime: part.mtime ?? 0, source: () => data });
  }
  return tree;
}

/** zlib's CRC32 of the whole source. */
export function crc32Of(src: ByteSource, signal?: AbortSignal): number {
  let crc = 0;
  for (let pos = 0; pos < src.size; pos += PIECE) {
    signal?.throwIfAborted();
    crc = crc32(src.read(pos, PIECE), crc);
  }
  return crc >>> 0;
}

/** A node:crypto digest (md5, sha1, sha256 ...) of the whole source, optionally after a prefix. */
export function digestOf(algorithm: string, src: ByteSource, signal?: AbortSignal, prefix?: Buffer): Buffer {
  const h = createHash(algorithm);
  if (prefix) h.update(prefix);
  for (let pos = 0; pos < src.size; pos += PIECE) {
    signal?.throwIfAborted();
    h.update(src.read(pos, PIECE));
  }
  return h.digest();
}

/** Printable text of a fixed-size, NUL-padded header field, or undefined when it holds binary. */
export function fieldText(buf: Buffer, start: number, length: number): string | undefined {
  const b = buf.subarray(start, start + length);
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  for (let i = 0; i < end; i++) {
    const c = b[i] as number;
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  return b.toString('latin1', 0, end);
}
