// LZMA2 (the xz format's compression filter): a sequence of chunks, each either stored or LZMA with its own
// range coder, sizes in the chunk header, and resets of state/properties/dictionary signalled in the control
// byte. The chunk headers also let a walker find the end of the stream without decoding (measureLzma2).
import { guarded, malformed, OutputCollector, type DecodeOptions, type DecodeResult, type RandomAccess } from './codec.js';
import { LzmaDecoder, STOP_END_MARKER, STOP_INPUT, STOP_LIMIT } from './lzma-decoder.js';
import { LzWindow, windowCapacity } from './lz-window.js';

/** Dictionary size from the LZMA2 properties byte (xz filter properties), or -1 when invalid. */
export function lzma2DictSize(b: number): number {
  if ((b & 0xc0) !== 0 || b > 40) return -1;
  if (b === 40) return 0xffffffff;
  return (2 | (b & 1)) * 2 ** ((b >>> 1) + 11);
}

export type Lzma2Status = 'end' | 'truncated' | 'limit';

export class Lzma2Decoder {
  private readonly lzma: LzmaDecoder;
  private needDictReset = true;
  private needProps = true;

  constructor(private readonly win: LzWindow) {
    this.lzma = new LzmaDecoder(win, 'lzma2');
  }

  /** Decodes chunks from input[start, end) up to the end-of-stream byte; pos is just past what was used. */
  decode(input: Uint8Array, start: number, end: number): { pos: number; status: Lzma2Status } {
    const win = this.win;
    let pos = start;
    for (;;) {
      if (pos >= end) return { pos: end, status: 'truncated' };
      const control = input[pos] as number;
      if (control === 0x00) return { pos: pos + 1, status: 'end' };
      if (control === 0x01 || control === 0x02) {
        if (pos + 3 > end) return { pos: end, status: 'truncated' };
        const size = (((input[pos + 1] as number) << 8) | (input[pos + 2] as number)) + 1;
        if (control === 0x01) {
          win.resetDictionary();
          this.needDictReset = false;
          this.needProps = true;
        } else if (this.needDictReset) {
          throw malformed('lzma2', 'first chunk does not reset the dictionary');
        }
        const present = Math.min(size, end - pos - 3);
        const n = Math.min(present, win.limit - win.produced);
        win.putBytes(input, pos + 3, n);
        if (n < present || win.refused) return { pos: pos + 3 + n, status: 'limit' };
        if (present < size) return { pos: end, status: 'truncated' };
        pos += 3 + size;
        continue;
      }
      if (control < 0x80) throw malformed('lzma2', `invalid chunk control byte 0x${control.toString(16)}`);
      if (pos + 5 > end) return { pos: end, status: 'truncated' };
      const unpacked = (control & 0x1f) * 65536 + (((input[pos + 1] as number) << 8) | (input[pos + 2] as number)) + 1;
      const packed = (((input[pos + 3] as number) << 8) | (input[pos + 4] as number)) + 1;
      const reset = (control >>> 5) & 3;
      if (reset === 3) {
        win.resetDictionary();
        this.needDictReset = false;
      } else if (this.needDictReset) {
        throw malformed('lzma2', 'first chunk does not reset the dictionary');
      }
      let header = 5;
      if (reset >= 2) {
        if (pos + 6 > end) return { pos: end, status: 'truncated' };
        const b = input[pos + 5] as number;
        const lc = b % 9;
        const lp = Math.floor(b / 9) % 5;
        const pb = Math.floor(b / 45);
        if (b >= 225 || lc + lp > 4 || pb > 4) throw malformed('lzma2', 'invalid LZMA properties in a chunk');
        this.lzma.setProps(lc, lp, pb);
        this.needProps = false;
        header = 6;
      } else if (this.needProps) {
        throw malformed('lzma2', 'LZMA chunk without properties');
      }
      if (reset >= 1) this.lzma.resetState();
      const dataStart = pos + header;
      const dataEnd = dataStart + packed;
      const cut = dataEnd > end;
      if (!this.lzma.initRange(input, dataStart, Math.min(dataEnd, end))) {
        if (cut) return { pos: end, status: 'truncated' };
        throw malformed('lzma2', 'chunk shorter than its range coder');
      }
      const target = win.produced + unpacked;
      const stop = this.lzma.decode(Math.min(target, win.limit), false);
      if (stop === STOP_END_MARKER) throw malformed('lzma2', 'end marker inside a chunk');
      if (stop === STOP_INPUT) {
        if (cut) return { pos: end, status: 'truncated' };
        throw malformed('lzma2', 'chunk data ends before its declared size');
      }
      if (stop === STOP_LIMIT && win.produced < target) return { pos: this.lzma.inPos, status: 'limit' };
      // A chunk must use exactly its packed bytes and leave the range coder finished.
      if (this.lzma.inPos !== dataEnd || !this.lzma.finishedCleanly || this.lzma.hasPendingMatch) {
        throw malformed('lzma2', 'chunk sizes do not match its data');
      }
      pos = dataEnd;
    }
  }
}

/** Raw LZMA2 (no xz container) with the dictionary size given; consumed ends after the end-of-stream byte. */
export function decodeLzma2Raw(input: Uint8Array, dictSize: number, opts: DecodeOptions): DecodeResult {
  return guarded('lzma2', () => {
    const out = new OutputCollector(opts);
    const cap = Math.min(out.maxOutput, opts.expectedSize ?? Number.POSITIVE_INFINITY);
    const win = new LzWindow(windowCapacity(dictSize, cap, !opts.onOutput), out, cap);
    let r: { pos: number; status: Lzma2Status };
    try {
      r = new Lzma2Decoder(win).decode(input, 0, input.length);
    } finally {
      win.finish();
    }
    if (r.status === 'limit') {
      out.markLimited();
      const walk = walkLzma2(bytesOf(input), 0);
      return out.result(walk && !walk.truncated ? walk.end : r.pos, false);
    }
    return out.result(r.pos, r.status === 'truncated');
  });
}

function bytesOf(input: Uint8Array): RandomAccess {
  return { size: input.length, read: (o, l) => input.subarray(o, o + l) };
}

/** The end of the LZMA2 stream at `start` from its chunk headers alone, or null when a header is invalid. */
export function walkLzma2(src: RandomAccess, start: number): { end: number; outputSize: number; truncated: boolean } | null {
  let pos = start;
  let out = 0;
  let first = true;
  for (;;) {
    const h = src.read(pos, 6);
    if (h.length < 1) return { end: src.size, outputSize: out, truncated: true };
    const control = h[0] as number;
    if (control === 0) return { end: pos + 1, outputSize: out, truncated: false };
    if (control === 1 || control === 2) {
      if (first && control !== 1) return null;
      if (h.length < 3) return { end: src.size, outputSize: out, truncated: true };
      const size = (((h[1] as number) << 8) | (h[2] as number)) + 1;
      pos += 3 + size;
      out += size;
    } else if (control >= 0x80) {
      if (first && control < 0xe0) return null;
      const header = control >= 0xc0 ? 6 : 5;
      if (h.length < header) return { end: src.size, outputSize: out, truncated: true };
      if (header === 6 && (h[5] as number) >= 225) return null;
      out += (control & 0x1f) * 65536 + (((h[1] as number) << 8) | (h[2] as number)) + 1;
      pos += header + (((h[3] as number) << 8) | (h[4] as number)) + 1;
    } else {
      return null;
    }
    first = false;
    if (pos > src.size) return { end: src.size, outputSize: out, truncated: true };
  }
}
