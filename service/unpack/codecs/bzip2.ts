// bzip2 streams: "BZh" + level, blocks (48-bit magic, CRC, the block proper: bzip2-block.ts), then the end
// magic with the combined CRC, padded to a byte. Each block's output is its BWT vector walked and the initial
// run-length coding undone (four equal bytes, then a repeat count); block CRCs and the stream CRC are checked.
// Streams may be concatenated (pbzip2, or cat). measureBzip2() finds the end by decoding only the Huffman
// symbols of each block, which is cheap next to the inverse BWT.
import { BitReader, BlockDecoder, type BlockVector } from './bzip2-block.js';
import { crc32Msb } from './checksums.js';
import { guarded, malformed, OutputCollector, type DecodeOptions, type DecodeResult, type RandomAccess, type StreamExtent } from './codec.js';

const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const END_MAGIC_HI = 0x177245;
const END_MAGIC_LO = 0x385090;
const PIECE = 1 << 20;
/** A block's compressed form is at most ~2.3 MB (900k symbols of up to 20 bits, plus tables). */
const BLOCK_WINDOW = 4 << 20;

/** Block size limit from "BZh1".."BZh9" at `at`, or 0 when there is no stream header. */
function streamLevel(b: Uint8Array, at: number): number {
  if (b[at] !== 0x42 || b[at + 1] !== 0x5a || b[at + 2] !== 0x68) return 0;
  const l = (b[at + 3] as number) - 0x30;
  return l >= 1 && l <= 9 ? l : 0;
}

/** A stream header followed by a block or end magic: what can start (or continue) a bzip2 chunk. */
export function isBzip2Start(head: Uint8Array): boolean {
  if (head.length < 10 || !streamLevel(head, 0)) return false;
  const m = head.subarray(4, 10);
  const hex = Buffer.from(m).toString('hex');
  return hex === '314159265359' || hex === '177245385090';
}

/** Walks a block's vector, undoing the initial RLE into pieces; false when the output refused more. */
function emitBlock(v: BlockVector, out: OutputCollector, crcBox: { crc: number }): boolean {
  const tt = v.tt;
  let tPos = (tt[v.origPtr] as number) >>> 8;
  let piece = Buffer.allocUnsafe(PIECE);
  let p = 0;
  let last = -1;
  let run = 0;
  let crc = crcBox.crc;
  const flush = (): boolean => {
    crc = crc32Msb(piece, 0, p, crc);
    const ok = out.push(p === piece.length ? piece : piece.subarray(0, p));
    piece = Buffer.allocUnsafe(PIECE);
    p = 0;
    return ok;
  };
  for (let i = 0; i < v.length; i++) {
    const e = tt[tPos] as number;
    const b = e & 0xff;
    tPos = e >>> 8;
    if (run === 4) {
      // The byte after four equal ones is how many more of them follow.
      for (let k = 0; k < b; k++) {
        if (p === PIECE && !flush()) return false;
        piece[p++] = last;
      }
      run = 0;
      last = -1;
      continue;
    }
    if (b === last) run++;
    else {
      last = b;
      run = 1;
    }
    if (p === PIECE && !flush()) return false;
    piece[p++] = b;
  }
  const ok = p === 0 || flush();
  crcBox.crc = crc;
  return ok;
}

type StreamOutcome = { kind: 'ok'; end: number; blocks: number } | { kind: 'truncated' } | { kind: 'limit' };

function read48(br: BitReader): [number, number] {
  return [br.bits(24), br.bits(24)];
}

function read32(br: BitReader): number {
  return br.bits(16) * 65536 + br.bits(16);
}

function decodeStream(input: Uint8Array, start: number, out: OutputCollector, decoders: Map<number, BlockDecoder>): StreamOutcome {
  if (start + 4 > input.length) return { kind: 'truncated' };
  const level = streamLevel(input, start);
  if (!level) throw malformed('bzip2', 'no bzip2 stream header');
  let dec = decoders.get(level);
  if (!dec) decoders.set(level, (dec = new BlockDecoder(level * 100000)));
  const br = new BitReader(input, start + 4);
  let combined = 0;
  let blocks = 0;
  for (;;) {
    out.checkAbort();
    const [hi, lo] = read48(br);
    if (br.overrun) return { kind: 'truncated' };
    if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
      const stored = read32(br);
      if (br.overrun) return { kind: 'truncated' };
      if (stored !== combined) throw malformed('bzip2', 'stream CRC mismatch');
      return { kind: 'ok', end: br.byteEnd, blocks };
    }
    if (hi !== BLOCK_MAGIC_HI || lo !== BLOCK_MAGIC_LO) throw malformed('bzip2', 'bad block magic');
    const stored = read32(br);
    const v = dec.read(br, false);
    if (!v || br.overrun) return { kind: 'truncated' };
    if (out.done) return { kind: 'limit' };
    const crcBox = { crc: 0xffffffff };
    if (!emitBlock(v, out, crcBox)) return { kind: 'limit' };
    const crc = ~crcBox.crc >>> 0;
    if (crc !== stored) throw malformed('bzip2', `block ${blocks} CRC mismatch`);
    combined = (((combined << 1) | (combined >>> 31)) ^ crc) >>> 0;
    blocks++;
  }
}

/** Decodes bzip2 data (one or more concatenated streams); consumed ends after the last stream's padding. */
export function decodeBzip2(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('bzip2', () => {
    const out = new OutputCollector(opts);
    const decoders = new Map<number, BlockDecoder>();
    let pos = 0;
    for (;;) {
      const r = decodeStream(input, pos, out, decoders);
      if (r.kind === 'truncated') return out.result(input.length, true);
      if (r.kind === 'limit') {
        out.markLimited();
        const m = measureBzip2({ size: input.length, read: (o, l) => input.subarray(o, o + l) }, 0);
        return out.result(m && !m.truncated ? m.end : input.length, false);
      }
      pos = r.end;
      if (!isBzip2Start(input.subarray(pos, pos + 10))) return out.result(pos, false);
    }
  });
}

export interface Bzip2Extent extends StreamExtent {
  streams: number;
  blocks: number;
  level: number;
}

/** One stream's end by walking its blocks' symbols; null when invalid. */
function walkStream(src: RandomAccess, start: number, decoders: Map<number, BlockDecoder>): { end: number; blocks: number; level: number } | 'truncated' | null {
  const head = src.read(start, 4);
  const level = streamLevel(head, 0);
  if (!level) return null;
  let dec = decoders.get(level);
  if (!dec) decoders.set(level, (dec = new BlockDecoder(level * 100000)));
  let bitPos = (start + 4) * 8;
  let blocks = 0;
  for (;;) {
    const byteStart = Math.floor(bitPos / 8);
    const chunk = src.read(byteStart, BLOCK_WINDOW);
    const br = new BitReader(chunk, 0);
    if (bitPos % 8) br.bits(bitPos % 8);
    const [hi, lo] = read48(br);
    if (br.overrun) return 'truncated';
    if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
      read32(br);
      if (br.overrun) return 'truncated';
      return { end: byteStart + br.byteEnd, blocks, level };
    }
    if (hi !== BLOCK_MAGIC_HI || lo !== BLOCK_MAGIC_LO) return null;
    read32(br);
    let v: BlockVector | null;
    try {
      v = dec.read(br, true);
    } catch {
      return null;
    }
    if (!v || br.overrun) return chunk.length < BLOCK_WINDOW ? 'truncated' : null;
    bitPos = byteStart * 8 + br.bitOffset;
    blocks++;
  }
}

/** The bzip2 stream(s) at `start`, sized by walking their blocks; null when the first is not bzip2. */
export function measureBzip2(src: RandomAccess, start: number): Bzip2Extent | null {
  const decoders = new Map<number, BlockDecoder>();
  let pos = start;
  let streams = 0;
  let blocks = 0;
  let level = 0;
  for (;;) {
    const w = walkStream(src, pos, decoders);
    if (w === 'truncated') return { end: src.size, truncated: true, streams: streams + 1, blocks, level: level || streamLevel(src.read(start, 4), 0) };
    if (!w) {
      if (streams === 0) return null;
      break;
    }
    streams++;
    blocks += w.blocks;
    level ||= w.level;
    pos = w.end;
    if (!isBzip2Start(src.read(pos, 10))) break;
  }
  return { end: pos, truncated: false, streams, blocks, level };
}
