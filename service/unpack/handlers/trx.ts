// Broadcom/OpenWrt TRX firmware (firmware-utils trx.c): a little-endian header "HDR0", total length, CRC32,
// flags and version, then three (v1, 28-byte header) or four (v2, 32-byte header) partition offsets from
// the header's start (0 = unused). The CRC covers everything from the flags field to the end, as Broadcom's
// CFE computes it (zlib's CRC32 without the final inversion). Each partition (typically a loader, the
// kernel, the root filesystem) opens as a file; the carver then looks into each.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { crc32Of, partsTree } from '../wrappers/parts.js';

const MAX_LENGTH = 512 << 20;
const CRC_FROM = 12;

interface TrxHeader {
  length: number;
  crc: number;
  flags: number;
  version: number;
  headerSize: number;
  offsets: number[];
}

function readHeader(src: ByteSource, start: number): TrxHeader | null {
  const h = src.read(start, 32);
  if (h.length < 28 || h.toString('latin1', 0, 4) !== 'HDR0') return null;
  const version = h.readUInt16LE(14);
  if (version !== 1 && version !== 2) return null;
  const headerSize = version === 1 ? 28 : 32;
  if (h.length < headerSize) return null;
  const length = h.readUInt32LE(4);
  if (length < headerSize || length > MAX_LENGTH) return null;
  const offsets: number[] = [];
  for (let at = 16; at < headerSize; at += 4) offsets.push(h.readUInt32LE(at));
  let last = 0;
  for (const o of offsets) {
    if (o === 0) continue;
    if (o < headerSize || o >= length || o <= last) return null;
    last = o;
  }
  if (last === 0) return null;
  return { length, crc: h.readUInt32LE(8), flags: h.readUInt16LE(12), version, headerSize, offsets };
}

export const trxHandler: Handler = {
  name: 'trx',
  kind: 'wrapper',
  magics: [magic('HDR0')],

  identify(src, start) {
    const h = readHeader(src, start);
    if (!h) return null;
    const end = start + h.length;
    const truncated = end > src.size;
    return { start, end: truncated ? src.size : end, meta: { version: h.version, flags: h.flags, length: h.length, offsets: h.offsets, truncated } };
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const h = readHeader(src, chunk.start);
    if (!h) throw new Error('TRX header no longer valid');
    const body = src.subrange(chunk.start, chunk.end);
    if (chunk.meta['truncated'] === true) {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `TRX declares ${h.length} bytes; only ${body.size} present`);
    } else {
      const crc = ~crc32Of(body.subrange(CRC_FROM, body.size), ctx.signal) >>> 0;
      chunk.meta['crcOk'] = crc === h.crc;
      if (crc !== h.crc) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `TRX CRC mismatch (header 0x${h.crc.toString(16)}, data 0x${crc.toString(16)})`);
    }
    const starts = h.offsets.map((o, i) => ({ o, i })).filter((p) => p.o !== 0);
    const parts = starts.map(({ o, i }, k) => {
      const end = k + 1 < starts.length ? (starts[k + 1] as { o: number }).o : h.length;
      return { name: `partition-${i}`, data: body.subrange(o, end) };
    });
    return { kind: 'tree', tree: partsTree('trx', parts.filter((p) => p.data.size > 0), ctx) };
  },
};
