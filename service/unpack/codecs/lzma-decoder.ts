// The LZMA decoder proper (range decoder + LZ symbols), written from the LZMA SDK's lzma-specification.txt.
// It decodes into an LzWindow up to an output limit and can be resumed, which is what LZMA2 needs (many
// chunks, one state). All probabilities live in one Uint16Array at fixed offsets and the range coder's two
// registers in a Uint32Array, so the hot loop allocates nothing. (Writing every bit decision out inline in
// one big loop was measured too: no faster once optimized, and much slower to get optimized, which matters
// for small squashfs blocks.)
//
// Input past the end is read as zeros and remembered in `overrun`: the symbol that needed it is dropped, so
// the output always ends on the last symbol that was really there.
import { malformed } from './codec.js';
import type { LzWindow } from './lz-window.js';

export interface LzmaProps {
  lc: number;
  lp: number;
  pb: number;
  dictSize: number;
}

/** Why decode() returned. */
export const STOP_LIMIT = 0;
export const STOP_END_MARKER = 1;
export const STOP_INPUT = 2;
export const STOP_CLEAN_END = 3;

const TOP = 1 << 24;
const PROB_INIT = 1024;

// Probability array layout (offsets into one Uint16Array).
const IS_MATCH = 0; // 12 states x 16 pos states
const IS_REP = 192;
const IS_REP_G0 = 204;
const IS_REP_G1 = 216;
const IS_REP_G2 = 228;
const IS_REP0_LONG = 240; // 12 x 16
const POS_SLOT = 432; // 4 len states x 64
const SPEC_POS = 688; // 115: distances of slots 4..13
const ALIGN = 803; // 16
const LEN = 819; // choice, choice2, low 16x8, mid 16x8, high 256
const REP_LEN = 1333;
const LITERAL = 1847; // 0x300 per literal context

const END_MARKER_DISTANCE = 0xffffffff;

/** lc/lp/pb from the properties byte ((pb * 5 + lp) * 9 + lc), or null when it is out of range. */
export function decodePropsByte(b: number): { lc: number; lp: number; pb: number } | null {
  if (!(b >= 0 && b < 9 * 5 * 5)) return null;
  return { lc: b % 9, lp: Math.floor(b / 9) % 5, pb: Math.floor(b / 45) };
}

export class LzmaDecoder {
  private lc = 0;
  private lpMask = 0;
  private pbMask = 0;
  private probs = new Uint16Array(0);
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** Match bytes not yet copied because the output limit cut the match. */
  private pendingLen = 0;

  /** Range coder registers [range, code]: a Uint32Array keeps these 32-bit values unboxed. */
  private readonly rc = new Uint32Array(2);
  private input: Uint8Array = new Uint8Array(0);
  inPos = 0;
  private inEnd = 0;
  overrun = false;

  constructor(
    readonly window: LzWindow,
    private readonly codec = 'lzma',
  ) {}

  setProps(lc: number, lp: number, pb: number): void {
    this.lc = lc;
    this.lpMask = (1 << lp) - 1;
    this.pbMask = (1 << pb) - 1;
    const size = LITERAL + (0x300 << (lc + lp));
    if (this.probs.length !== size) this.probs = new Uint16Array(size);
  }

  resetState(): void {
    this.probs.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
    this.pendingLen = 0;
  }

  /** Starts the range decoder on input[start, end); false when fewer than its 5 init bytes are there. */
  initRange(input: Uint8Array, start: number, end: number): boolean {
    this.input = input;
    this.inEnd = Math.min(end, input.length);
    this.overrun = false;
    if (this.inEnd - start < 5) {
      this.inPos = this.inEnd;
      return false;
    }
    // The encoder's first byte is always 0; anything else is not LZMA (a cheap test on noise).
    if (input[start] !== 0) throw malformed(this.codec, 'range coder does not start with a zero byte');
    const code = (((input[start + 1] as number) << 24) | ((input[start + 2] as number) << 16) | ((input[start + 3] as number) << 8) | (input[start + 4] as number)) >>> 0;
    this.rc[0] = 0xffffffff;
    this.rc[1] = code;
    if (code === 0xffffffff) throw malformed(this.codec, 'range coder starts out of range');
    this.inPos = start + 5;
    return true;
  }

  /** The range decoder has consumed all its input and holds nothing more: a stream's clean end. */
  get finishedCleanly(): boolean {
    return this.rc[1] === 0;
  }

  private normalize(): void {
    const rc = this.rc;
    rc[0] = (rc[0] as number) << 8;
    let b = 0;
    if (this.inPos < this.inEnd) b = this.input[this.inPos++] as number;
    else this.overrun = true;
    rc[1] = ((rc[1] as number) << 8) | b;
  }

  private bit(i: number): number {
    const probs = this.probs;
    const rc = this.rc;
    const p = probs[i] as number;
    const range = rc[0] as number;
    const code = rc[1] as number;
    const bound = (range >>> 11) * p;
    let b: number;
    if (code < bound) {
      rc[0] = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      rc[0] = range - bound;
      rc[1] = code - bound;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    if ((rc[0] as number) < TOP) this.normalize();
    return b;
  }

  private bitTree(base: number, numBits: number): number {
    let m = 1;
    for (let i = 0; i < numBits; i++) m = (m << 1) + this.bit(base + m);
    return m - (1 << numBits);
  }

  private reverseBitTree(base: number, numBits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < numBits; i++) {
      const b = this.bit(base + m);
      m = (m << 1) + b;
      sym |= b << i;
    }
    return sym;
  }

  private directBits(n: number): number {
    let res = 0;
    for (let i = 0; i < n; i++) {
      const rc = this.rc;
      const range = (rc[0] as number) >>> 1;
      rc[0] = range;
      let b = 0;
      if ((rc[1] as number) >= range) {
        rc[1] = (rc[1] as number) - range;
        b = 1;
      }
      res = res * 2 + b;
      if (range < TOP) this.normalize();
    }
    return res;
  }

  /** Match length minus 2 (0..271). */
  private length(base: number, posState: number): number {
    if (this.bit(base) === 0) return this.bitTree(base + 2 + (posState << 3), 3);
    if (this.bit(base + 1) === 0) return 8 + this.bitTree(base + 130 + (posState << 3), 3);
    return 16 + this.bitTree(base + 258, 8);
  }

  /** Distance minus 1 (0..0xFFFFFFFF, the last being the end marker). */
  private distance(len: number): number {
    const lenState = len < 3 ? len : 3;
    const slot = this.bitTree(POS_SLOT + (lenState << 6), 6);
    if (slot < 4) return slot;
    const numDirect = (slot >>> 1) - 1;
    const dist = (2 | (slot & 1)) * 2 ** numDirect;
    if (slot < 14) return dist + this.reverseBitTree(SPEC_POS + dist - slot, numDirect);
    return dist + this.directBits(numDirect - 4) * 16 + this.reverseBitTree(ALIGN, 4);
  }

  private badDistance(dist: number): never {
    throw malformed(this.codec, `match distance ${dist + 1} reaches before the start of the data`, { at: this.window.produced });
  }

  /**
   * One literal (8 bits, or the "matched" form after a match, which first follows the bits of the byte at
   * rep0). The range coder sits in locals here: this loop runs for most of the decoded bits.
   */
  private literal(base: number, matchByte: number): number {
    const probs = this.probs;
    const rc = this.rc;
    const input = this.input;
    const inEnd = this.inEnd;
    let range = rc[0] as number;
    let code = rc[1] as number;
    let inPos = this.inPos;
    let sym = 1;
    // Matched phase: offs stays 0x100 while the decoded bits agree with matchByte's, then drops to 0.
    let offs = matchByte >= 0 ? 0x100 : 0;
    let mb = matchByte;
    while (sym < 0x100) {
      let i: number;
      let matchBit = 0;
      if (offs !== 0) {
        mb <<= 1;
        matchBit = mb & 0x100;
        i = base + offs + matchBit + sym;
      } else {
        i = base + sym;
      }
      const p = probs[i] as number;
      const bound = (range >>> 11) * p;
      if (code < bound) {
        range = bound;
        probs[i] = p + ((2048 - p) >>> 5);
        sym <<= 1;
        if (matchBit !== 0) offs = 0;
      } else {
        range -= bound;
        code -= bound;
        probs[i] = p - (p >>> 5);
        sym = (sym << 1) | 1;
        if (matchBit === 0) offs = 0;
      }
      if (range < TOP) {
        range *= 256;
        code *= 256;
        if (inPos < inEnd) code += input[inPos++] as number;
        else this.overrun = true;
      }
    }
    rc[0] = range;
    rc[1] = code;
    this.inPos = inPos;
    return sym;
  }

  /**
   * Decodes until the window has produced `outLimit` bytes, the end marker, or the input runs out. With
   * stopAtCleanEnd, an input that is used up with the range coder at zero is the end (streams without a
   * size and without an end marker, as vendor squashfs writes them).
   */
  decode(outLimit: number, stopAtCleanEnd: boolean): number {
    const win = this.window;
    if (this.pendingLen > 0) {
      const n = Math.min(this.pendingLen, outLimit - win.produced);
      if (n > 0) win.copyMatch(this.rep0 + 1, n);
      this.pendingLen -= n;
      if (this.pendingLen > 0) return STOP_LIMIT;
    }
    const lc = this.lc;
    const lpMask = this.lpMask;
    const pbMask = this.pbMask;
    for (;;) {
      if (win.produced >= outLimit || win.refused) return STOP_LIMIT;
      if (stopAtCleanEnd && this.inPos >= this.inEnd && this.rc[1] === 0) return STOP_CLEAN_END;
      const posState = win.streamPos & pbMask;
      const state = this.state;
      if (this.bit(IS_MATCH + (state << 4) + posState) === 0) {
        const prev = win.filled > 0 ? win.getByte(1) : 0;
        const base = LITERAL + 0x300 * (((win.streamPos & lpMask) << lc) + (prev >>> (8 - lc)));
        let matchByte = -1;
        if (state >= 7) {
          if (this.rep0 >= win.filled) this.badDistance(this.rep0);
          matchByte = win.getByte(this.rep0 + 1);
        }
        const sym = this.literal(base, matchByte);
        if (this.overrun) return STOP_INPUT;
        win.putByte(sym & 0xff);
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len: number;
      if (this.bit(IS_REP + state) === 0) {
        len = this.length(LEN, posState);
        const dist = this.distance(len);
        if (this.overrun) return STOP_INPUT;
        if (dist === END_MARKER_DISTANCE) return STOP_END_MARKER;
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        this.rep0 = dist;
        this.state = state < 7 ? 7 : 10;
      } else {
        if (this.bit(IS_REP_G0 + state) === 0) {
          if (this.bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
            if (this.overrun) return STOP_INPUT;
            if (this.rep0 >= win.filled) this.badDistance(this.rep0);
            this.state = state < 7 ? 9 : 11;
            win.putByte(win.getByte(this.rep0 + 1));
            continue;
          }
        } else {
          let dist: number;
          if (this.bit(IS_REP_G1 + state) === 0) {
            dist = this.rep1;
          } else {
            if (this.bit(IS_REP_G2 + state) === 0) {
              dist = this.rep2;
            } else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.length(REP_LEN, posState);
        if (this.overrun) return STOP_INPUT;
        this.state = state < 7 ? 8 : 11;
      }
      if (this.rep0 >= win.filled) this.badDistance(this.rep0);
      len += 2;
      const room = outLimit - win.produced;
      if (len > room) {
        this.pendingLen = len - room;
        len = room;
      }
      win.copyMatch(this.rep0 + 1, len);
      if (this.pendingLen > 0) return STOP_LIMIT;
    }
  }

  /** A match was cut by the output limit and has bytes left. */
  get hasPendingMatch(): boolean {
    return this.pendingLen > 0;
  }

  /**
   * After the known size was produced: is the next symbol an end marker? The range decoder is put back when
   * it is not, so a caller can still report where the stream's data ended.
   */
  tryEndMarker(): boolean {
    const [range, code] = this.rc;
    const { inPos, overrun } = this;
    const posState = this.window.streamPos & this.pbMask;
    // Probabilities are updated by these reads; harmless, since nothing is decoded after this.
    if (this.bit(IS_MATCH + (this.state << 4) + posState) === 1 && this.bit(IS_REP + this.state) === 0) {
      const len = this.length(LEN, posState);
      if (this.distance(len) === END_MARKER_DISTANCE && !this.overrun) return true;
    }
    this.rc[0] = range as number;
    this.rc[1] = code as number;
    this.inPos = inPos;
    this.overrun = overrun;
    return false;
  }
}
