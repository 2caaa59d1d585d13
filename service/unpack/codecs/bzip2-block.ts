// One bzip2 block up to its Burrows-Wheeler vector: symbol map, Huffman groups and selectors, then the
// MTF/RUNA/RUNB symbol stream, then the inverse BWT link table. Bits are read MSB-first; reads past the end
// of the input return zeros and set `overrun`, which the stream decoder reports as truncation.
import { malformed, unsupported } from './codec.js';

export class BitReader {
  private buf = 0;
  private count = 0;

  constructor(
    private readonly input: Uint8Array,
    public pos: number,
    private readonly end = input.length,
  ) {}

  private fill(n: number): void {
    while (this.count < n) {
      const b = this.pos < this.end ? (this.input[this.pos] as number) : 0;
      this.pos++;
      this.buf = ((this.buf << 8) | b) >>> 0;
      this.count += 8;
    }
  }

  /** n <= 24 bits. */
  bits(n: number): number {
    if (this.count < n) this.fill(n);
    this.count -= n;
    return (this.buf >>> this.count) & ((1 << n) - 1);
  }

  /** The next n <= 24 bits without consuming them. */
  peek(n: number): number {
    if (this.count < n) this.fill(n);
    return (this.buf >>> (this.count - n)) & ((1 << n) - 1);
  }

  skip(n: number): void {
    this.count -= n;
  }

  /** True once a bit past the end of the input was consumed (zeros were read in its place). */
  get overrun(): boolean {
    return this.pos > this.end && (this.pos - this.end) * 8 > this.count;
  }

  /** Bits consumed since the start of the input. */
  get bitOffset(): number {
    return this.pos * 8 - this.count;
  }

  /** Offset just past the byte holding the last consumed bit (the stream's end, padding included). */
  get byteEnd(): number {
    return this.pos - (this.count >> 3);
  }
}

const MAX_GROUPS = 6;
const MAX_ALPHA = 258;
const MAX_CODE_LEN = 20;
const MAX_SELECTORS = 18002;
const GROUP_SIZE = 50;
const LOOKUP_BITS = 10;

/** Canonical Huffman decoding for one group: a 10-bit table and the limit/base/perm arrays for longer codes. */
class HuffmanGroup {
  readonly table = new Int32Array(1 << LOOKUP_BITS);
  readonly limit = new Int32Array(MAX_CODE_LEN + 2);
  readonly base = new Int32Array(MAX_CODE_LEN + 2);
  readonly perm = new Int32Array(MAX_ALPHA);
  minLen = 0;
  maxLen = 0;
  count = 0;

  build(lengths: Uint8Array, alphaSize: number): void {
    let minLen = 32;
    let maxLen = 0;
    for (let i = 0; i < alphaSize; i++) {
      const l = lengths[i] as number;
      if (l > maxLen) maxLen = l;
      if (l < minLen) minLen = l;
    }
    this.minLen = minLen;
    this.maxLen = maxLen;
    this.table.fill(-1);
    let pp = 0;
    let code = 0;
    for (let len = minLen; len <= maxLen; len++) {
      this.base[len] = code - pp;
      for (let s = 0; s < alphaSize; s++) {
        if (lengths[s] !== len) continue;
        // More codes of this length than fit: an over-subscribed (invalid) code.
        if (code >= 1 << len) throw malformed('bzip2', 'over-subscribed Huffman code');
        this.perm[pp++] = s;
        if (len <= LOOKUP_BITS) {
          const shift = LOOKUP_BITS - len;
          const first = code << shift;
          for (let k = 0; k < 1 << shift; k++) this.table[first + k] = (s << 5) | len;
        }
        code++;
      }
      this.limit[len] = code - 1;
      code <<= 1;
    }
    this.count = pp;
  }

  /** Decodes one symbol; -1 for a bit pattern that is no code. */
  decode(br: BitReader): number {
    const e = this.table[br.peek(LOOKUP_BITS)] as number;
    if (e >= 0) {
      br.skip(e & 31);
      return e >>> 5;
    }
    // Longer codes: canonical decoding, one length at a time.
    for (let len = Math.max(this.minLen, LOOKUP_BITS + 1); len <= this.maxLen; len++) {
      const c = br.peek(len);
      if (c <= (this.limit[len] as number)) {
        const idx = c - (this.base[len] as number);
        if (idx < 0 || idx >= this.count) return -1;
        br.skip(len);
        return this.perm[idx] as number;
      }
    }
    return -1;
  }
}

export interface BlockVector {
  /** Inverse-BWT links: low 8 bits the byte, the rest the next index. */
  tt: Uint32Array;
  length: number;
  origPtr: number;
}

/** Reusable state for decoding blocks (tables sized for the largest block). */
export class BlockDecoder {
  private readonly groups = Array.from({ length: MAX_GROUPS }, () => new HuffmanGroup());
  private readonly lengths = new Uint8Array(MAX_ALPHA);
  private readonly selectors = new Uint8Array(MAX_SELECTORS);
  private readonly seqToUnseq = new Uint8Array(256);
  private readonly mtf = new Uint8Array(256);
  private readonly counts = new Int32Array(256);
  private tt: Uint32Array;

  constructor(private readonly maxBlock: number) {
    this.tt = new Uint32Array(0);
  }

  /**
   * Reads a block after its magic and CRC. walkOnly: only find where it ends (no output vector built).
   * Returns null when the input ran out.
   */
  read(br: BitReader, walkOnly: boolean): BlockVector | null {
    if (br.bits(1)) throw unsupported('bzip2', 'randomised blocks (bzip2 before 0.9.5) are not supported');
    const origPtr = br.bits(24);
    const inUse16 = br.bits(16);
    let nInUse = 0;
    for (let i = 0; i < 16; i++) {
      if (!(inUse16 & (0x8000 >>> i))) continue;
      const bits = br.bits(16);
      for (let j = 0; j < 16; j++) if (bits & (0x8000 >>> j)) this.seqToUnseq[nInUse++] = i * 16 + j;
    }
    if (br.overrun) return null;
    if (nInUse === 0) throw malformed('bzip2', 'block uses no symbols');
    const alphaSize = nInUse + 2;
    const nGroups = br.bits(3);
    if (nGroups < 2 || nGroups > MAX_GROUPS) throw malformed('bzip2', `invalid Huffman group count ${nGroups}`);
    const nSelectors = br.bits(15);
    if (nSelectors < 1) throw malformed('bzip2', 'no selectors');
    // Selectors are MTF-coded unary numbers; bzip2 1.0.8 ignores those past 18002, so do we.
    const pos = [0, 1, 2, 3, 4, 5];
    for (let i = 0; i < nSelectors; i++) {
      let j = 0;
      while (br.bits(1)) {
        j++;
        if (j >= nGroups) throw malformed('bzip2', 'selector out of range');
        if (br.overrun) return null;
      }
      const v = pos[j] as number;
      for (; j > 0; j--) pos[j] = pos[j - 1] as number;
      pos[0] = v;
      if (i < MAX_SELECTORS) this.selectors[i] = v;
    }
    const usedSelectors = Math.min(nSelectors, MAX_SELECTORS);
    for (let t = 0; t < nGroups; t++) {
      let curr = br.bits(5);
      for (let i = 0; i < alphaSize; i++) {
        for (;;) {
          if (curr < 1 || curr > MAX_CODE_LEN) throw malformed('bzip2', 'Huffman code length out of range');
          if (br.overrun) return null;
          if (!br.bits(1)) break;
          curr += br.bits(1) ? -1 : 1;
        }
        this.lengths[i] = curr;
      }
      (this.groups[t] as HuffmanGroup).build(this.lengths, alphaSize);
    }
    if (br.overrun) return null;
    return this.symbols(br, nInUse, usedSelectors, origPtr, walkOnly);
  }

  private symbols(br: BitReader, nInUse: number, nSelectors: number, origPtr: number, walkOnly: boolean): BlockVector | null {
    const eob = nInUse + 1;
    const mtf = this.mtf;
    for (let i = 0; i < 256; i++) mtf[i] = i;
    const counts = this.counts;
    counts.fill(0);
    if (!walkOnly && this.tt.length < this.maxBlock) this.tt = new Uint32Array(this.maxBlock);
    const tt = this.tt;
    const seq = this.seqToUnseq;
    let n = 0;
    let groupLeft = 0;
    let selector = 0;
    let group = this.groups[0] as HuffmanGroup;
    let run = 0;
    let runWeight = 1;
    for (;;) {
      if (groupLeft === 0) {
        if (selector >= nSelectors) throw malformed('bzip2', 'more symbols than selectors');
        group = this.groups[this.selectors[selector++] as number] as HuffmanGroup;
        groupLeft = GROUP_SIZE;
      }
      groupLeft--;
      const sym = group.decode(br);
      if (br.overrun) return null;
      if (sym < 0) throw malformed('bzip2', 'invalid Huffman code');
      if (sym <= 1) {
        // RUNA/RUNB: a bijective base-2 count of repeats of the front symbol.
        if (runWeight >= 1 << 21) throw malformed('bzip2', 'run too long');
        run += (sym + 1) * runWeight;
        runWeight <<= 1;
        continue;
      }
      if (run > 0) {
        if (n + run > this.maxBlock) throw malformed('bzip2', 'block larger than its declared size');
        const b = seq[mtf[0] as number] as number;
        counts[b] = (counts[b] as number) + run;
        if (!walkOnly) tt.fill(b, n, n + run);
        n += run;
        run = 0;
        runWeight = 1;
      }
      if (sym === eob) break;
      if (sym > eob) throw malformed('bzip2', 'symbol out of range');
      if (n >= this.maxBlock) throw malformed('bzip2', 'block larger than its declared size');
      // Move-to-front: the symbol names a position in the recency list.
      const idx = sym - 1;
      const v = mtf[idx] as number;
      mtf.copyWithin(1, 0, idx);
      mtf[0] = v;
      const b = seq[v] as number;
      counts[b] = (counts[b] as number) + 1;
      if (!walkOnly) tt[n] = b;
      n++;
    }
    if (origPtr >= n) throw malformed('bzip2', 'BWT origin pointer outside the block');
    if (walkOnly) return { tt, length: n, origPtr };
    // Inverse BWT: each entry keeps its byte in the low 8 bits and gets the index of its successor above.
    let sum = 0;
    const start = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      start[i] = sum;
      sum += counts[i] as number;
    }
    for (let i = 0; i < n; i++) {
      const b = (tt[i] as number) & 0xff;
      const at = start[b] as number;
      start[b] = at + 1;
      tt[at] = ((tt[at] as number) | (i << 8)) >>> 0;
    }
    return { tt, length: n, origPtr };
  }
}
