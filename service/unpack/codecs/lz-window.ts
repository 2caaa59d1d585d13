// The sliding dictionary of an LZ decoder (LZMA, LZMA2): decoded bytes are written here, matches copy from
// here, and full stretches are handed to the output. It starts small and doubles up to its capacity (the
// dictionary size, or less when the output is known to be smaller), so a header that claims a 1 GiB
// dictionary costs memory only as output really appears.

/** Where finished output goes (an OutputCollector, or a filter in front of one); false: stop. */
export interface PieceSink {
  push(piece: Buffer): boolean;
}

const FIRST_SIZE = 1 << 16;

/**
 * How big a window a decode needs: the dictionary when output is streamed (the window wraps and hands out
 * pieces), or all of the output when it is gathered (then nothing is copied on the way, and the window's
 * buffer is the result).
 */
export function windowCapacity(dictSize: number, cap: number, gather: boolean): number {
  return Math.max(1, gather ? cap : Math.min(Math.max(dictSize, 4096), cap));
}

export class LzWindow {
  buf: Buffer;
  /** Next write index in buf. */
  pos = 0;
  /** Valid history behind pos (never more than the capacity). */
  filled = 0;
  /** Bytes since the last dictionary reset: LZMA's position for its pb/lp contexts. */
  streamPos = 0;
  /** Bytes written since creation. */
  produced = 0;
  /** produced may not pass this (the output cap). */
  limit: number;
  /** Set when the sink refused output: decoding should stop. */
  refused = false;
  private flushedTo = 0;
  private wrapped = false;

  constructor(
    readonly capacity: number,
    private readonly sink: PieceSink,
    limit: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(1, Math.min(capacity, FIRST_SIZE)));
    this.limit = limit;
  }

  /** Called when pos reached the end of buf: grow while below capacity, else emit and wrap around. */
  makeRoom(): void {
    if (this.buf.length < this.capacity) {
      const bigger = Buffer.allocUnsafe(Math.min(this.capacity, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
      return;
    }
    this.flush();
    this.pos = 0;
    this.flushedTo = 0;
    this.wrapped = true;
  }

  /** Emits what was written since the last flush (a copy: the window keeps its buffer). */
  flush(): void {
    if (this.pos > this.flushedTo) {
      const piece = Buffer.from(this.buf.subarray(this.flushedTo, this.pos));
      this.flushedTo = this.pos;
      if (!this.sink.push(piece)) this.refused = true;
    }
  }

  /** Emits the rest; the window is not used afterwards, so a never-wrapped buffer is handed over as is. */
  finish(): void {
    if (!this.wrapped && this.flushedTo === 0 && this.pos > 0) {
      const piece = this.buf.subarray(0, this.pos);
      this.flushedTo = this.pos;
      if (!this.sink.push(piece)) this.refused = true;
      return;
    }
    this.flush();
  }

  /** Dictionary reset (LZMA2): history is forgotten, positions restart. */
  resetDictionary(): void {
    this.filled = 0;
    this.streamPos = 0;
  }

  putByte(b: number): void {
    if (this.pos === this.buf.length) this.makeRoom();
    this.buf[this.pos++] = b;
    this.streamPos++;
    this.produced++;
    if (this.filled < this.capacity) this.filled++;
  }

  /** The byte `dist` (1-based) back; the caller has checked dist <= filled. */
  getByte(dist: number): number {
    let i = this.pos - dist;
    if (i < 0) i += this.buf.length;
    return this.buf[i] as number;
  }

  advance(n: number): void {
    this.streamPos += n;
    this.produced += n;
    this.filled += n;
    if (this.filled > this.capacity) this.filled = this.capacity;
  }

  /** Copies len bytes from dist back (the caller checked dist <= filled and len <= limit - produced). */
  copyMatch(dist: number, len: number): void {
    let src = this.pos - dist;
    if (src < 0) src += this.buf.length;
    // Short matches far from the buffer's end (most of them): one plain loop.
    if (len <= 64 && this.pos + len <= this.buf.length && src + len <= this.buf.length) {
      const buf = this.buf;
      let p = this.pos;
      const end = p + len;
      while (p < end) buf[p++] = buf[src++] as number;
      this.pos = end;
    } else {
      let left = len;
      while (left > 0) {
        if (this.pos === this.buf.length) this.makeRoom();
        const buf = this.buf;
        if (src >= buf.length) src -= buf.length;
        // Longest stretch without wrapping either index; overlapping copies (dist < n) go byte by byte.
        const n = Math.min(left, buf.length - this.pos, buf.length - src);
        if (dist >= n && n > 32) {
          buf.copyWithin(this.pos, src, src + n);
        } else {
          let p = this.pos;
          for (let k = 0; k < n; k++) buf[p++] = buf[src + k] as number;
        }
        this.pos += n;
        src += n;
        left -= n;
      }
    }
    this.advance(len);
  }

  /** Appends bytes that were stored uncompressed (LZMA2 uncompressed chunks). */
  putBytes(src: Uint8Array, start: number, len: number): void {
    let at = start;
    let left = len;
    while (left > 0) {
      if (this.pos === this.buf.length) this.makeRoom();
      const n = Math.min(left, this.buf.length - this.pos);
      this.buf.set(src.subarray(at, at + n), this.pos);
      this.pos += n;
      at += n;
      left -= n;
    }
    this.advance(len);
  }
}
