// Finds where a raw deflate stream ends without producing its output. Carving needs the exact end of a gzip
// member, and zlib only tells how much input it consumed after inflating everything into memory, which is
// what a gzip bomb wants. This walker decodes the Huffman symbols (RFC 1951) and skips the copies: memory
// stays constant, it rejects noise within a few bytes, and it counts the output size so the gzip trailer's
// ISIZE can be checked without inflating. The decoding rules follow zlib's (inflate.c, inftrees.c), so what
// zlib rejects is rejected here too.
import type { ByteSource } from './byte-source.js';

export interface DeflateWalk {
  /** Offset just past the last byte of the stream (or the end of the source when truncated). */
  end: number;
  /** Bytes the stream inflates to (up to the cut when truncated). */
  outputSize: number;
  truncated: boolean;
}

const LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const WINDOW = 1 << 20;

class Invalid extends Error {}

/**
 * Canonical Huffman code: a lookup table on the next `bits` (at most PRIMARY_BITS) input bits, entry =
 * symbol << 4 | length, 0 where no code that short matches; longer codes (rare by construction) go through
 * count/symbol, as in zlib's puff.c. A full 15-bit table per block would cost more than decoding the block.
 */
interface Table {
  bits: number;
  entries: Int32Array;
  count: Int32Array;
  symbol: Int32Array;
}

const PRIMARY_BITS = 10;

/** Builds a code like zlib's inflate_table: over-subscribed is invalid, incomplete only for one 1-bit code. */
function buildTable(lengths: ArrayLike<number>, allowEmpty: boolean, allowIncomplete: boolean): Table {
  const count = new Int32Array(16);
  let max = 0;
  for (let i = 0; i < lengths.length; i++) {
    const l = lengths[i] as number;
    count[l] = (count[l] as number) + 1;
    if (l > max) max = l;
  }
  count[0] = 0; // unused symbols take no code (RFC 1951 3.2.2: bl_count[0] = 0)
  if (max === 0) {
    if (!allowEmpty) throw new Invalid('empty code');
    return { bits: 1, entries: new Int32Array(2), count, symbol: new Int32Array(0) };
  }
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = left * 2 - (count[len] as number);
    if (left < 0) throw new Invalid('over-subscribed code');
  }
  if (left > 0 && !(allowIncomplete && max === 1)) throw new Invalid('incomplete code');
  const offs = new Int32Array(16);
  for (let len = 1; len < 15; len++) offs[len + 1] = (offs[len] as number) + (count[len] as number);
  const symbol = new Int32Array(lengths.length);
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym] as number;
    if (len === 0) continue;
    const at = offs[len] as number;
    symbol[at] = sym;
    offs[len] = at + 1;
  }
  const bits = Math.min(max, PRIMARY_BITS);
  const entries = new Int32Array(1 << bits);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= bits; len++) {
    for (let n = 0; n < (count[len] as number); n++, k++) {
      let rev = 0;
      for (let b = 0; b < len; b++) rev |= ((code >> b) & 1) << (len - 1 - b);
      const e = ((symbol[k] as number) << 4) | len;
      for (let j = rev; j < entries.length; j += 1 << len) entries[j] = e;
      code++;
    }
    code <<= 1;
  }
  return { bits, entries, count, symbol };
}

const FIXED_LIT = buildTable(
  Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)),
  false,
  false,
);
// 32 codes like zlib's fixed table; symbols 30 and 31 are rejected when decoded.
const FIXED_DIST = buildTable(new Array<number>(32).fill(5), false, false);

/** LSB-first bit reader over a ByteSource window; past the end it feeds zeros and remembers how many. */
class BitReader {
  private buf: Buffer;
  private bufStart: number;
  private pos = 0;
  bits = 0;
  count = 0;
  private padBits = 0;

  constructor(
    private readonly src: ByteSource,
    start: number,
  ) {
    this.bufStart = start;
    this.buf = src.read(start, WINDOW);
  }

  /** Ensures n (<= 24) bits are buffered. */
  need(n: number): void {
    while (this.count < n) {
      if (this.pos >= this.buf.length) {
        this.bufStart += this.buf.length;
        this.buf = this.src.read(this.bufStart, WINDOW);
        this.pos = 0;
        if (this.buf.length === 0) {
          this.count += 8;
          this.padBits += 8;
          continue;
        }
      }
      this.bits |= (this.buf[this.pos++] as number) << this.count;
      this.count += 8;
    }
  }

  take(n: number): number {
    this.need(n);
    const v = this.bits & ((1 << n) - 1);
    this.drop(n);
    return v;
  }

  drop(n: number): void {
    this.bits >>>= n;
    this.count -= n;
  }

  /** True once the source ended and zeros were fed in. */
  get padded(): boolean {
    return this.padBits > 0;
  }

  /** True once a bit that does not exist in the source was consumed. */
  get overran(): boolean {
    return this.padBits > this.count;
  }

  decode(t: Table): number {
    this.need(t.bits);
    const e = t.entries[this.bits & ((1 << t.bits) - 1)] as number;
    if (e !== 0) {
      this.drop(e & 15);
      return e >>> 4;
    }
    return this.decodeSlow(t);
  }

  /**
   * Decodes one Huffman-coded block and returns the output size after it (-1 when the source ended inside
   * it). This is the hot loop, so the bit buffer lives in locals, refilled two bytes at a time while the
   * window has them (at most 31 bits held, so every value stays a small integer for V8).
   */
  huffmanBlock(lit: Table, dist: Table, outStart: number): number {
    const le = lit.entries;
    const lm = (1 << lit.bits) - 1;
    const de = dist.entries;
    const dm = (1 << dist.bits) - 1;
    let bits = this.bits;
    let count = this.count;
    let pos = this.pos;
    let buf = this.buf;
    let out = outStart;
    const refill = (): void => {
      if (pos + 2 <= buf.length) {
        bits |= ((buf[pos] as number) << count) | ((buf[pos + 1] as number) << (count + 8));
        pos += 2;
        count += 16;
        return;
      }
      this.bits = bits;
      this.count = count;
      this.pos = pos;
      this.need(16);
      bits = this.bits;
      count = this.count;
      pos = this.pos;
      buf = this.buf;
    };
    const slow = (t: Table): number => {
      this.bits = bits;
      this.count = count;
      this.pos = pos;
      const sym = this.decodeSlow(t);
      bits = this.bits;
      count = this.count;
      pos = this.pos;
      buf = this.buf;
      return sym;
    };
    for (;;) {
      if (count < 16) refill();
      let e = le[bits & lm] as number;
      let sym: number;
      if (e !== 0) {
        bits >>>= e & 15;
        count -= e & 15;
        sym = e >>> 4;
      } else sym = slow(lit);
      if (this.padBits > count) return -1;
      if (sym < 256) {
        out++;
        continue;
      }
      if (sym === 256) break;
      const li = sym - 257;
      if (li >= 29) throw new Invalid('invalid length symbol');
      if (count < 16) refill();
      const lx = LEXT[li] as number;
      const length = (LBASE[li] as number) + (bits & ((1 << lx) - 1));
      bits >>>= lx;
      count -= lx;
      if (count < 16) refill();
      e = de[bits & dm] as number;
      let di: number;
      if (e !== 0) {
        bits >>>= e & 15;
        count -= e & 15;
        di = e >>> 4;
      } else di = slow(dist);
      if (di >= 30) throw new Invalid('invalid distance symbol');
      if (count < 16) refill();
      const dx = DEXT[di] as number;
      const distance = (DBASE[di] as number) + (bits & ((1 << dx) - 1));
      bits >>>= dx;
      count -= dx;
      if (this.padBits > count) return -1;
      if (distance > out) throw new Invalid('distance too far back');
      out += length;
    }
    this.bits = bits;
    this.count = count;
    this.pos = pos;
    return this.padBits > count ? -1 : out;
  }

  /** Bit-by-bit canonical decoding (puff.c) for codes longer than the lookup table. */
  private decodeSlow(t: Table): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= 15; len++) {
      code |= this.take(1);
      const n = t.count[len] as number;
      if (code - n < first) return t.symbol[index + (code - first)] as number;
      index += n;
      first = (first + n) << 1;
      code <<= 1;
    }
    throw new Invalid('invalid code');
  }

  /** Drops the bits left in the current byte (stored blocks start on a byte boundary). */
  align(): void {
    this.drop(this.count & 7);
  }

  /** Absolute offset of the first byte not consumed. */
  get offset(): number {
    return this.bufStart + this.pos - (this.count >> 3);
  }

  /** Skips n whole bytes (after align()); false when the source ends first. */
  skip(n: number): boolean {
    const target = this.offset + n;
    this.bits = 0;
    this.count = 0;
    this.padBits = 0;
    if (target > this.src.size) return false;
    this.bufStart = target;
    this.pos = 0;
    this.buf = this.src.read(target, WINDOW);
    return true;
  }
}

function readDynamicTables(r: BitReader): [Table, Table] {
  const nlen = r.take(5) + 257;
  const ndist = r.take(5) + 1;
  const ncode = r.take(4) + 4;
  if (nlen > 286 || ndist > 30) throw new Invalid('too many length or distance symbols');
  const clens = new Uint8Array(19);
  for (let i = 0; i < ncode; i++) clens[CLEN_ORDER[i] as number] = r.take(3);
  const clTable = buildTable(clens, false, false);
  const lengths = new Uint8Array(nlen + ndist);
  let i = 0;
  while (i < lengths.length) {
    const sym = r.decode(clTable);
    if (sym < 16) {
      lengths[i++] = sym;
      continue;
    }
    let value = 0;
    let repeat: number;
    if (sym === 16) {
      if (i === 0) throw new Invalid('repeat with no first length');
      value = lengths[i - 1] as number;
      repeat = 3 + r.take(2);
    } else if (sym === 17) repeat = 3 + r.take(3);
    else repeat = 11 + r.take(7);
    if (i + repeat > lengths.length) throw new Invalid('too many lengths');
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (lengths[256] === 0) throw new Invalid('missing end-of-block code');
  return [buildTable(lengths.subarray(0, nlen), false, true), buildTable(lengths.subarray(nlen), true, true)];
}

/**
 * Walks the raw deflate stream starting at `start`. null: not deflate (or truncated before `minTruncated`
 * bytes, too short to tell from noise).
 */
export function walkDeflate(src: ByteSource, start: number, minTruncated = 64): DeflateWalk | null {
  const r = new BitReader(src, start);
  let out = 0;
  const truncated = (): DeflateWalk | null =>
    src.size - start >= minTruncated ? { end: src.size, outputSize: out, truncated: true } : null;
  try {
    for (;;) {
      const final = r.take(1);
      const type = r.take(2);
      if (type === 0) {
        r.align();
        const len = r.take(16);
        const nlen = r.take(16);
        if (r.overran) return truncated();
        if (len !== (~nlen & 0xffff)) return null;
        if (!r.skip(len)) return truncated();
        out += len;
      } else if (type === 3) {
        return null;
      } else {
        const [lit, dist] = type === 1 ? [FIXED_LIT, FIXED_DIST] : readDynamicTables(r);
        const after = r.huffmanBlock(lit, dist, out);
        if (after < 0) return truncated();
        out = after;
      }
      if (r.overran) return truncated();
      if (final) return { end: r.offset, outputSize: out, truncated: false };
    }
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    // An invalid code decoded from the zeros fed past the end means the stream was cut, not that it is noise.
    return r.padded ? truncated() : null;
  }
}
