// Sequential reads over random-access bytes for the header walkers: a window is read ahead, so walking many
// small headers (xz blocks, LZ4 blocks, zstd blocks) costs one read per window, not one per header.
import type { RandomAccess } from './codec.js';

export class ByteCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;

  constructor(
    private readonly src: RandomAccess,
    public pos: number,
    private readonly window = 1 << 16,
  ) {}

  get size(): number {
    return this.src.size;
  }

  /** The next n bytes without moving, or null when the source ends first. */
  peek(n: number): Uint8Array | null {
    const off = this.pos - this.bufStart;
    if (off >= 0 && off + n <= this.buf.length) return this.buf.subarray(off, off + n);
    if (this.pos + n > this.src.size) return null;
    if (n > this.window) {
      const b = this.src.read(this.pos, n);
      return b.length === n ? b : null;
    }
    this.buf = this.src.read(this.pos, this.window);
    this.bufStart = this.pos;
    return this.buf.length >= n ? this.buf.subarray(0, n) : null;
  }

  /** The next n bytes, moving past them, or null when the source ends first (pos then stays). */
  take(n: number): Uint8Array | null {
    const b = this.peek(n);
    if (b) this.pos += n;
    return b;
  }

  /** The next byte, or -1 at the end. */
  byte(): number {
    const b = this.take(1);
    return b ? (b[0] as number) : -1;
  }

  u32le(): number {
    const b = this.take(4);
    return b ? ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16) | ((b[3] as number) << 24)) >>> 0 : -1;
  }

  u32be(): number {
    const b = this.take(4);
    return b ? (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0 : -1;
  }
}

/** A Uint8Array seen as random-access bytes. */
export function bytesSource(input: Uint8Array): RandomAccess {
  return { size: input.length, read: (o, l) => input.subarray(Math.max(0, o), Math.max(0, o + l)) };
}
