// The .xz container (xz-file-format 1.x): stream header, blocks (header, LZMA2 data behind up to three
// filters, padding, check), index, footer; streams may be concatenated with null padding between them.
// One walk serves two purposes: measureXz() follows the LZMA2 chunk headers without decoding (so a carved
// stream's end is exact and cheap), decodeXz() decodes the blocks. Both verify what the format lets them:
// header CRC32s, sizes declared in block headers, the index against the blocks, the footer against the index;
// decodeXz also verifies each block's check (CRC32, CRC64, SHA-256).
import { createHash } from 'node:crypto';
import { createFilter, type FilterSink } from './bcj.js';
import { ByteCursor, bytesSource } from './byte-cursor.js';
import { Crc64, crc32 } from './checksums.js';
import { guarded, malformed, OutputCollector, unsupported, type DecodeOptions, type DecodeResult, type RandomAccess, type StreamExtent } from './codec.js';
import { LzWindow, windowCapacity, type PieceSink } from './lz-window.js';
import { Lzma2Decoder, lzma2DictSize, walkLzma2 } from './lzma2.js';

export const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const FOOTER_MAGIC_0 = 0x59;
const FOOTER_MAGIC_1 = 0x5a;
const FILTER_LZMA2 = 0x21;
const CHECK_NONE = 0;
const CHECK_CRC32 = 1;
const CHECK_CRC64 = 4;
const CHECK_SHA256 = 10;
/** Check field sizes by check ID (IDs without a defined check still have a defined size). */
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const CHECK_NAMES: Record<number, string> = { 0: 'none', 1: 'crc32', 4: 'crc64', 10: 'sha256' };
/** More than any BCJ filter holds back (IA-64 bundles are 16 bytes). */
const FILTER_LOOKAHEAD = 16;

interface Filter {
  id: number;
  props: Uint8Array;
}

interface BlockHeader {
  size: number;
  compressedSize: number | undefined;
  uncompressedSize: number | undefined;
  filters: Filter[];
}

/** What a block visitor reports; `digest` is the check computed over the output when it could be. */
type BlockOutcome = { kind: 'ok'; dataEnd: number; uncompressed: number; digest?: Buffer } | { kind: 'truncated' } | { kind: 'limit' };

type StreamOutcome = { kind: 'ok'; end: number; uncompressed: number; blocks: number; check: number } | { kind: 'truncated' } | { kind: 'limit' };

/** A variable-length integer (7 bits a byte, at most 9 bytes, no superfluous zero byte). */
function readVli(b: Uint8Array, at: number, limit: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= limit) throw malformed('xz', 'integer runs past its field');
    const byte = b[at + i] as number;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) throw malformed('xz', 'integer is not minimally encoded');
      if (value > Number.MAX_SAFE_INTEGER) throw malformed('xz', 'integer too large');
      return [value, at + i + 1];
    }
  }
  throw malformed('xz', 'integer longer than 9 bytes');
}

function le32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/** Check ID from the two stream flag bytes (which the CRC32 after them covers). */
function streamFlags(h: Uint8Array, at: number): number {
  if (h[at] !== 0 || ((h[at + 1] as number) & 0xf0) !== 0) throw malformed('xz', 'unsupported stream flags');
  return (h[at + 1] as number) & 0x0f;
}

function parseBlockHeader(h: Uint8Array): BlockHeader {
  const size = h.length;
  if (crc32(h.subarray(0, size - 4)) !== le32(h, size - 4)) throw malformed('xz', 'block header CRC32 mismatch');
  const flags = h[1] as number;
  if (flags & 0x3c) throw malformed('xz', 'reserved block flags set');
  const end = size - 4;
  let at = 2;
  let compressedSize: number | undefined;
  let uncompressedSize: number | undefined;
  if (flags & 0x40) {
    [compressedSize, at] = readVli(h, at, end);
    if (compressedSize === 0) throw malformed('xz', 'zero compressed size');
  }
  if (flags & 0x80) [uncompressedSize, at] = readVli(h, at, end);
  const filters: Filter[] = [];
  for (let i = 0; i <= (flags & 3); i++) {
    let id: number;
    let propSize: number;
    [id, at] = readVli(h, at, end);
    [propSize, at] = readVli(h, at, end);
    if (at + propSize > end) throw malformed('xz', 'filter properties run past the block header');
    filters.push({ id, props: h.subarray(at, at + propSize) });
    at += propSize;
  }
  for (; at < end; at++) if (h[at] !== 0) throw malformed('xz', 'non-zero block header padding');
  const last = filters[filters.length - 1] as Filter;
  if (last.id !== FILTER_LZMA2) throw unsupported('xz', `last filter 0x${last.id.toString(16)} is not LZMA2`);
  if (filters.slice(0, -1).some((f) => f.id === FILTER_LZMA2)) throw malformed('xz', 'LZMA2 is not the last filter');
  if (last.props.length !== 1 || lzma2DictSize(last.props[0] as number) < 0) throw malformed('xz', 'invalid LZMA2 properties');
  return { size, compressedSize, uncompressedSize, filters };
}

/**
 * Walks one stream from its header to its footer; `visit` handles each block's data. Index and footer are
 * checked against what the visits reported.
 */
function walkStream(src: RandomAccess, start: number, visit: (h: BlockHeader, dataStart: number, check: number) => BlockOutcome): StreamOutcome {
  const cur = new ByteCursor(src, start);
  const head = cur.take(12);
  if (!head) return { kind: 'truncated' };
  if (!Buffer.from(head.subarray(0, 6)).equals(XZ_MAGIC)) throw malformed('xz', 'no stream header magic');
  const check = streamFlags(head, 6);
  if (crc32(head.subarray(6, 8)) !== le32(head, 8)) throw malformed('xz', 'stream header CRC32 mismatch');
  const checkSize = CHECK_SIZES[check] as number;
  const records: Array<[number, number]> = [];
  let uncompressedTotal = 0;
  for (;;) {
    const first = cur.peek(1);
    if (!first) return { kind: 'truncated' };
    if (first[0] === 0) break;
    const blockStart = cur.pos;
    const h = cur.take(((first[0] as number) + 1) * 4);
    if (!h) return { kind: 'truncated' };
    const header = parseBlockHeader(h);
    const r = visit(header, cur.pos, check);
    if (r.kind !== 'ok') return r;
    const compressed = r.dataEnd - cur.pos;
    if (header.compressedSize !== undefined && header.compressedSize !== compressed) throw malformed('xz', 'block compressed size differs from its header');
    if (header.uncompressedSize !== undefined && header.uncompressedSize !== r.uncompressed) throw malformed('xz', 'block uncompressed size differs from its header');
    cur.pos = r.dataEnd;
    const pad = (4 - ((r.dataEnd - blockStart) % 4)) % 4;
    const tail = cur.take(pad + checkSize);
    if (!tail) return { kind: 'truncated' };
    for (let i = 0; i < pad; i++) if (tail[i] !== 0) throw malformed('xz', 'non-zero block padding');
    if (r.digest && !r.digest.equals(tail.subarray(pad))) throw malformed('xz', `block ${CHECK_NAMES[check] ?? 'check'} mismatch`);
    records.push([header.size + compressed + checkSize, r.uncompressed]);
    uncompressedTotal += r.uncompressed;
  }
  const indexSize = readIndex(cur, records);
  if (indexSize < 0) return { kind: 'truncated' };
  const foot = cur.take(12);
  if (!foot) return { kind: 'truncated' };
  if (foot[10] !== FOOTER_MAGIC_0 || foot[11] !== FOOTER_MAGIC_1) throw malformed('xz', 'no stream footer magic');
  if (crc32(foot.subarray(4, 10)) !== le32(foot, 0)) throw malformed('xz', 'stream footer CRC32 mismatch');
  if ((le32(foot, 4) + 1) * 4 !== indexSize) throw malformed('xz', 'footer backward size does not match the index');
  if (streamFlags(foot, 8) !== check) throw malformed('xz', 'footer flags differ from the header');
  return { kind: 'ok', end: cur.pos, uncompressed: uncompressedTotal, blocks: records.length, check };
}

/** Reads and verifies the index against the blocks seen; its size, or -1 when the source ends first. */
function readIndex(cur: ByteCursor, records: Array<[number, number]>): number {
  const start = cur.pos;
  // A record is at most 18 bytes; with indicator, count, padding and CRC this bounds the index.
  const maxSize = 1 + 9 + records.length * 18 + 3 + 4;
  const b = cur.peek(Math.min(maxSize, cur.size - start));
  if (!b) return -1;
  const cut = b.length < maxSize;
  let at = 1;
  try {
    let count: number;
    [count, at] = readVli(b, at, b.length);
    if (count !== records.length) throw malformed('xz', `index lists ${count} blocks, the stream has ${records.length}`);
    for (const [unpadded, uncompressed] of records) {
      let u: number;
      let v: number;
      [u, at] = readVli(b, at, b.length);
      [v, at] = readVli(b, at, b.length);
      if (u !== unpadded || v !== uncompressed) throw malformed('xz', 'index record does not match its block');
    }
    while (at % 4 !== 0) {
      if (at >= b.length) return -1;
      if (b[at] !== 0) throw malformed('xz', 'non-zero index padding');
      at++;
    }
  } catch (err) {
    // Where the source ends inside the index, a parse failure may just be the cut.
    if (cut && at + 18 >= b.length) return -1;
    throw err;
  }
  if (at + 4 > b.length) return -1;
  if (crc32(b.subarray(0, at)) !== le32(b, at)) throw malformed('xz', 'index CRC32 mismatch');
  cur.pos = start + at + 4;
  return at + 4;
}

/** Zero bytes in multiples of four, then another stream header: the offset of that stream, or -1. */
function nextStream(src: RandomAccess, end: number): number {
  const cur = new ByteCursor(src, end);
  let p = end;
  for (;;) {
    const b = cur.peek(4);
    if (!b) return -1;
    if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0) {
      cur.pos += 4;
      p += 4;
      continue;
    }
    const magic = cur.peek(6);
    return magic && Buffer.from(magic).equals(XZ_MAGIC) ? p : -1;
  }
}

export interface XzExtent extends StreamExtent {
  streams: number;
  blocks: number;
  /** Check of the first stream: none, crc32, crc64, sha256 or a number. */
  check: string;
}

/** The xz stream(s) at `start` sized from their headers alone, or null when the first is not valid xz. */
export function measureXz(src: RandomAccess, start: number): XzExtent | null {
  let pos = start;
  let lastEnd = -1;
  let streams = 0;
  let blocks = 0;
  let outputSize = 0;
  let check = '';
  const visit = (_h: BlockHeader, dataStart: number): BlockOutcome => {
    const w = walkLzma2(src, dataStart);
    if (!w) throw malformed('xz', 'invalid LZMA2 chunk header');
    return w.truncated ? { kind: 'truncated' } : { kind: 'ok', dataEnd: w.end, uncompressed: w.outputSize };
  };
  for (;;) {
    let r: StreamOutcome;
    try {
      r = walkStream(src, pos, visit);
    } catch {
      // A damaged stream after good ones is left out of the chunk; it is carved (or not) on its own.
      if (streams === 0) return null;
      break;
    }
    if (r.kind !== 'ok') return { end: src.size, truncated: true, streams: streams + 1, blocks, outputSize, check };
    streams++;
    blocks += r.blocks;
    outputSize += r.uncompressed;
    if (!check) check = CHECK_NAMES[r.check] ?? String(r.check);
    lastEnd = r.end;
    const next = nextStream(src, lastEnd);
    if (next < 0 || !validStreamHeader(src, next)) break;
    pos = next;
  }
  return { end: lastEnd, truncated: false, streams, blocks, outputSize, check };
}

/** A quick test that a valid stream header sits at `at` (the walk proper comes next). */
function validStreamHeader(src: RandomAccess, at: number): boolean {
  const h = src.read(at, 12);
  if (h.length < 12 || !Buffer.from(h.subarray(0, 6)).equals(XZ_MAGIC)) return false;
  try {
    streamFlags(h, 6);
    return crc32(h.subarray(6, 8)) === le32(h, 8);
  } catch {
    return false;
  }
}

/** Feeds a block's output to the check and on to the collector. */
class CheckSink implements PieceSink {
  private readonly crc64 = new Crc64();
  private readonly sha = createHash('sha256');
  private crc = 0;

  constructor(
    private readonly check: number,
    private readonly next: PieceSink,
  ) {}

  push(piece: Buffer): boolean {
    if (this.check === CHECK_CRC32) this.crc = crc32(piece, this.crc);
    else if (this.check === CHECK_CRC64) this.crc64.update(piece);
    else if (this.check === CHECK_SHA256) this.sha.update(piece);
    return this.next.push(piece);
  }

  digest(): Buffer | undefined {
    if (this.check === CHECK_CRC32) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(this.crc >>> 0, 0);
      return b;
    }
    if (this.check === CHECK_CRC64) return this.crc64.digest();
    if (this.check === CHECK_SHA256) return this.sha.digest();
    return this.check === CHECK_NONE ? Buffer.alloc(0) : undefined;
  }
}

function decodeBlock(input: Uint8Array, header: BlockHeader, dataStart: number, check: number, out: OutputCollector): BlockOutcome {
  const room = out.room;
  if (room <= 0) return { kind: 'limit' };
  const checker = new CheckSink(check, out);
  // The filters listed first were applied first when encoding, so they are undone last.
  const stages: FilterSink[] = [];
  let next: PieceSink = checker;
  for (const f of header.filters.slice(0, -1)) {
    const stage = createFilter(f.id, f.props, next);
    if (stage === undefined) throw unsupported('xz', `filter 0x${f.id.toString(16)} is not supported`);
    if (stage === 'bad-props') throw malformed('xz', `invalid properties for filter 0x${f.id.toString(16)}`);
    stages.unshift(stage);
    next = stage;
  }
  const dict = lzma2DictSize(header.filters[header.filters.length - 1]?.props[0] as number);
  // With a BCJ filter, decode a little past the cap: the filter then converts every byte up to it, and the
  // collector cuts the rest.
  const limit = room + (stages.length > 0 ? FILTER_LOOKAHEAD : 0);
  const cap = Math.min(limit, header.uncompressedSize ?? Number.POSITIVE_INFINITY);
  const win = new LzWindow(windowCapacity(dict, cap, out.gathering), next, limit);
  const end = header.compressedSize !== undefined ? Math.min(input.length, dataStart + header.compressedSize) : input.length;
  let r: ReturnType<Lzma2Decoder['decode']> | undefined;
  try {
    r = new Lzma2Decoder(win).decode(input, dataStart, end);
  } finally {
    win.finish();
    // The few bytes a BCJ filter still holds are final only at the block's real end; after a cut they
    // may be half of a converted instruction, and a wrong byte is worse than a missing one.
    if (r?.status === 'end') for (const s of stages) s.end();
  }
  if (r.status === 'limit' || out.limited) return { kind: 'limit' };
  if (r.status === 'truncated') {
    if (end < input.length) throw malformed('xz', 'LZMA2 data runs past the declared compressed size');
    return { kind: 'truncated' };
  }
  return { kind: 'ok', dataEnd: r.pos, uncompressed: win.produced, ...(out.limited ? {} : { digest: checker.digest() }) } as BlockOutcome;
}

/** Decodes .xz data (one or more streams); consumed ends after the last stream footer. */
export function decodeXz(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('xz', () => {
    const out = new OutputCollector(opts);
    const src = bytesSource(input);
    let pos = 0;
    for (;;) {
      out.checkAbort();
      const r = walkStream(src, pos, (h, dataStart, check) => decodeBlock(input, h, dataStart, check, out));
      if (r.kind === 'truncated') return out.result(input.length, true);
      if (r.kind === 'limit') {
        out.markLimited();
        const m = measureXz(src, 0);
        return out.result(m && !m.truncated ? m.end : input.length, false);
      }
      pos = r.end;
      const next = nextStream(src, pos);
      if (next < 0 || !validStreamHeader(src, next)) return out.result(pos, false);
      pos = next;
    }
  });
}
