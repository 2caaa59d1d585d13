// The xz "simple" filters that undo branch-address conversion in executables (BCJ: x86, PowerPC, IA-64, ARM,
// ARM-Thumb, SPARC, ARM64) and the delta filter. Each converts a buffer in place and says how many bytes it
// finished; the rest (an instruction cut at the piece's end) waits for the next piece. The conversions
// follow the xz file format specification's filter list and the behaviour of XZ Utils' decoders.
import type { PieceSink } from './lz-window.js';

export const FILTER_DELTA = 0x03;
export const FILTER_X86 = 0x04;
export const FILTER_POWERPC = 0x05;
export const FILTER_IA64 = 0x06;
export const FILTER_ARM = 0x07;
export const FILTER_ARMTHUMB = 0x08;
export const FILTER_SPARC = 0x09;
export const FILTER_ARM64 = 0x0a;

/** Converts buf[0, size) as if it started at stream offset `pos`; returns the bytes finished. */
type Convert = (buf: Uint8Array, size: number, pos: number) => number;

function x86Converter(): Convert {
  // Which of the last bytes before an E8/E9 were themselves E8/E9 candidates (bit mask) and where the last
  // one was: a call opcode right after another one is probably data, not code.
  let prevMask = 0;
  let prevPos = -5;
  const test = (b: number): boolean => b === 0 || b === 0xff;
  const BIT_NUMBER = [0, 1, 2, 2, 3];
  return (buf, size, nowPos) => {
    if (size < 5) return 0;
    if (nowPos - prevPos > 5) prevPos = nowPos - 5;
    const limit = size - 5;
    let i = 0;
    while (i <= limit) {
      const op = buf[i] as number;
      if (op !== 0xe8 && op !== 0xe9) {
        i++;
        continue;
      }
      const offset = nowPos + i - prevPos;
      prevPos = nowPos + i;
      if (offset > 5) {
        prevMask = 0;
      } else {
        for (let k = 0; k < offset; k++) prevMask = ((prevMask & 0x77) << 1) & 0xff;
      }
      let b = buf[i + 4] as number;
      if (test(b) && prevMask >>> 1 <= 4 && prevMask >>> 1 !== 3) {
        let src = ((b << 24) | ((buf[i + 3] as number) << 16) | ((buf[i + 2] as number) << 8) | (buf[i + 1] as number)) >>> 0;
        let dest: number;
        for (;;) {
          dest = (src - (nowPos + i + 5)) >>> 0;
          if (prevMask === 0) break;
          const n = BIT_NUMBER[prevMask >>> 1] as number;
          b = (dest >>> (24 - n * 8)) & 0xff;
          if (!test(b)) break;
          src = (dest ^ (2 ** (32 - n * 8) - 1)) >>> 0;
        }
        buf[i + 4] = (dest >>> 24) & 1 ? 0xff : 0x00;
        buf[i + 3] = (dest >>> 16) & 0xff;
        buf[i + 2] = (dest >>> 8) & 0xff;
        buf[i + 1] = dest & 0xff;
        i += 5;
        prevMask = 0;
      } else {
        i++;
        prevMask |= 1;
        if (test(b)) prevMask |= 0x10;
      }
    }
    return i;
  };
}

const arm: Convert = (buf, size, pos) => {
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    if (buf[i + 3] !== 0xeb) continue;
    const src = (((buf[i + 2] as number) << 16) | ((buf[i + 1] as number) << 8) | (buf[i] as number)) * 4;
    const dest = ((src - (pos + i + 8)) >>> 2) & 0xffffff;
    buf[i + 2] = dest >>> 16;
    buf[i + 1] = (dest >>> 8) & 0xff;
    buf[i] = dest & 0xff;
  }
  return i;
};

const armThumb: Convert = (buf, size, pos) => {
  let i = 0;
  for (; i + 4 <= size; i += 2) {
    if (((buf[i + 1] as number) & 0xf8) !== 0xf0 || ((buf[i + 3] as number) & 0xf8) !== 0xf8) continue;
    const src = ((((buf[i + 1] as number) & 7) << 19) | ((buf[i] as number) << 11) | (((buf[i + 3] as number) & 7) << 8) | (buf[i + 2] as number)) * 2;
    const dest = ((src - (pos + i + 4)) >>> 1) & 0x3fffff;
    buf[i + 1] = 0xf0 | ((dest >>> 19) & 7);
    buf[i] = (dest >>> 11) & 0xff;
    buf[i + 3] = 0xf8 | ((dest >>> 8) & 7);
    buf[i + 2] = dest & 0xff;
    i += 2;
  }
  return i;
};

const powerPc: Convert = (buf, size, pos) => {
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    if ((buf[i] as number) >>> 2 !== 0x12 || ((buf[i + 3] as number) & 3) !== 1) continue;
    const src = ((((buf[i] as number) & 3) << 24) | ((buf[i + 1] as number) << 16) | ((buf[i + 2] as number) << 8) | ((buf[i + 3] as number) & 0xfc)) >>> 0;
    const dest = (src - (pos + i)) >>> 0;
    buf[i] = 0x48 | ((dest >>> 24) & 3);
    buf[i + 1] = (dest >>> 16) & 0xff;
    buf[i + 2] = (dest >>> 8) & 0xff;
    buf[i + 3] = ((buf[i + 3] as number) & 3) | (dest & 0xff);
  }
  return i;
};

const sparc: Convert = (buf, size, pos) => {
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const b0 = buf[i] as number;
    const b1 = buf[i + 1] as number;
    if (!((b0 === 0x40 && (b1 & 0xc0) === 0) || (b0 === 0x7f && (b1 & 0xc0) === 0xc0))) continue;
    const src = (((b0 << 24) | (b1 << 16) | ((buf[i + 2] as number) << 8) | (buf[i + 3] as number)) << 2) >>> 0;
    let dest = ((src - (pos + i)) >>> 0) >>> 2;
    dest = ((((0 - ((dest >>> 22) & 1)) << 22) & 0x3fffffff) | (dest & 0x3fffff) | 0x40000000) >>> 0;
    buf[i] = dest >>> 24;
    buf[i + 1] = (dest >>> 16) & 0xff;
    buf[i + 2] = (dest >>> 8) & 0xff;
    buf[i + 3] = dest & 0xff;
  }
  return i;
};

// IA-64 bundles are 16 bytes: a 5-bit template and three 41-bit slots; the table says which slots may hold
// a branch. Slots are read as 48-bit numbers, which doubles hold exactly.
const IA64_BRANCH = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 6, 6, 0, 0, 7, 7, 4, 4, 0, 0, 4, 4, 0, 0];

const ia64: Convert = (buf, size, pos) => {
  let i = 0;
  for (; i + 16 <= size; i += 16) {
    const mask = IA64_BRANCH[(buf[i] as number) & 0x1f] as number;
    for (let slot = 0, bitPos = 5; slot < 3; slot++, bitPos += 41) {
      if (((mask >>> slot) & 1) === 0) continue;
      const bytePos = bitPos >>> 3;
      const bitRes = bitPos & 7;
      let instr = 0;
      for (let j = 0; j < 6; j++) instr += (buf[i + j + bytePos] as number) * 2 ** (8 * j);
      const low = instr % 2 ** bitRes;
      const norm = Math.floor(instr / 2 ** bitRes); // at most 48 bits
      const opcode = Math.floor(norm / 2 ** 37) & 0xf;
      const btype = Math.floor(norm / 2 ** 9) & 0x7;
      if (opcode !== 0x5 || btype !== 0) continue;
      let src = Math.floor(norm / 2 ** 13) & 0xfffff;
      src |= (Math.floor(norm / 2 ** 36) & 1) << 20;
      src = (src << 4) >>> 0;
      const dest = ((src - (pos + i)) >>> 0) >>> 4;
      // Clear bits 13..32 and 36 of norm, then put dest's 20 low bits at 13 and its bit 20 at 36.
      const hi = Math.floor(norm / 2 ** 33); // bits 33..47
      const lo13 = norm % 2 ** 13;
      const newHi = (hi & ~(1 << 3)) | (((dest >>> 20) & 1) << 3);
      const newNorm = newHi * 2 ** 33 + (dest & 0xfffff) * 2 ** 13 + lo13;
      const out = newNorm * 2 ** bitRes + low;
      for (let j = 0; j < 6; j++) buf[i + j + bytePos] = Math.floor(out / 2 ** (8 * j)) & 0xff;
    }
  }
  return i;
};

const arm64: Convert = (buf, size, pos) => {
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const instr = ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24)) >>> 0;
    const pc = (pos + i) >>> 0;
    let out: number;
    if (instr >>> 26 === 0x25) {
      // BL: 26-bit word offset.
      out = (0x94000000 | ((instr - (pc >>> 2)) & 0x03ffffff)) >>> 0;
    } else if (((instr & 0x9f000000) >>> 0) === 0x90000000) {
      // ADRP: only the +-512 MiB range the encoder converts.
      const src = ((instr >>> 29) & 3) | ((instr >>> 3) & 0x001ffffc);
      if (((src + 0x00020000) & 0x001c0000) !== 0) continue;
      const dest = (src - (pc >>> 12)) >>> 0;
      out = ((instr & 0x9000001f) | ((dest & 3) << 29) | ((dest & 0x0003fffc) << 3) | ((0 - (dest & 0x00020000)) & 0x00e00000)) >>> 0;
    } else {
      continue;
    }
    buf[i] = out & 0xff;
    buf[i + 1] = (out >>> 8) & 0xff;
    buf[i + 2] = (out >>> 16) & 0xff;
    buf[i + 3] = out >>> 24;
  }
  return i;
};

function converter(id: number): Convert | undefined {
  switch (id) {
    case FILTER_X86:
      return x86Converter();
    case FILTER_POWERPC:
      return powerPc;
    case FILTER_IA64:
      return ia64;
    case FILTER_ARM:
      return arm;
    case FILTER_ARMTHUMB:
      return armThumb;
    case FILTER_SPARC:
      return sparc;
    case FILTER_ARM64:
      return arm64;
    default:
      return undefined;
  }
}

/** A filter stage in front of another sink; end() passes on what it still holds. */
export interface FilterSink extends PieceSink {
  end(): boolean;
}

/** A BCJ decoder stage. Pieces pushed here are owned by the stage and converted in place. */
class BcjSink implements FilterSink {
  private tail: Buffer = Buffer.alloc(0);
  private pos: number;

  constructor(
    private readonly convert: Convert,
    startOffset: number,
    private readonly next: PieceSink,
  ) {
    this.pos = startOffset;
  }

  push(piece: Buffer): boolean {
    const buf = this.tail.length > 0 ? Buffer.concat([this.tail, piece]) : piece;
    const done = this.convert(buf, buf.length, this.pos >>> 0);
    this.pos += done;
    this.tail = Buffer.from(buf.subarray(done));
    return done === 0 || this.next.push(buf.subarray(0, done));
  }

  end(): boolean {
    // Bytes too close to the end to hold a whole instruction are left as they are, as the encoder did.
    const t = this.tail;
    this.tail = Buffer.alloc(0);
    return t.length === 0 || this.next.push(t);
  }
}

class DeltaSink implements FilterSink {
  private readonly history = new Uint8Array(256);
  private index = 0;

  constructor(
    private readonly distance: number,
    private readonly next: PieceSink,
  ) {}

  push(piece: Buffer): boolean {
    const h = this.history;
    const d = this.distance;
    let k = this.index;
    for (let i = 0; i < piece.length; i++) {
      const b = ((piece[i] as number) + (h[(k - d) & 0xff] as number)) & 0xff;
      piece[i] = b;
      h[k & 0xff] = b;
      k++;
    }
    this.index = k & 0xff;
    return this.next.push(piece);
  }

  end(): boolean {
    return true;
  }
}

/** A decoder stage for filter `id` with its xz properties, or undefined when the filter is not known. */
export function createFilter(id: number, props: Uint8Array, next: PieceSink): FilterSink | 'bad-props' | undefined {
  if (id === FILTER_DELTA) {
    if (props.length !== 1) return 'bad-props';
    return new DeltaSink((props[0] as number) + 1, next);
  }
  const convert = converter(id);
  if (!convert) return undefined;
  if (props.length !== 0 && props.length !== 4) return 'bad-props';
  const start = props.length === 4 ? Buffer.from(props).readUInt32LE(0) : 0;
  return new BcjSink(convert, start, next);
}
