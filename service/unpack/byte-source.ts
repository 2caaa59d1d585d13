// Random-access bytes for handlers. Images can be hundreds of MiB on a box with 2 GB of RAM, so a file is
// read with pread (fs.readSync at a position) window by window, never slurped; carved sub-ranges are views,
// not copies, so a tar inside an image stays zero-copy until one of its files is read.
import * as fs from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset+length) clipped to the source: short (or empty) past the end, never garbage. */
  read(offset: number, length: number): Buffer;
  /** A view of [start, end), clipped to the source; offsets of the view start at 0. */
  subrange(start: number, end: number): ByteSource;
}

/** Clips [offset, offset+length) to [0, size); returns the clipped start and length. */
function clip(size: number, offset: number, length: number): [number, number] {
  if (!Number.isFinite(offset) || !Number.isFinite(length) || length <= 0 || offset >= size) return [0, 0];
  const start = Math.max(0, Math.floor(offset));
  const end = Math.min(size, Math.floor(offset + length));
  return end > start ? [start, end - start] : [0, 0];
}

const EMPTY = Buffer.alloc(0);

export class BufferSource implements ByteSource {
  constructor(private readonly buf: Buffer) {}
  get size(): number {
    return this.buf.length;
  }
  read(offset: number, length: number): Buffer {
    const [start, len] = clip(this.buf.length, offset, length);
    return len === 0 ? EMPTY : this.buf.subarray(start, start + len);
  }
  subrange(start: number, end: number): ByteSource {
    const [s, len] = clip(this.buf.length, start, end - start);
    return new BufferSource(this.buf.subarray(s, s + len));
  }
}

/** A view of part of another source (used for file-backed and chunk-list sources). */
class RangeSource implements ByteSource {
  constructor(
    private readonly parent: ByteSource,
    private readonly base: number,
    readonly size: number,
  ) {}
  read(offset: number, length: number): Buffer {
    const [start, len] = clip(this.size, offset, length);
    return len === 0 ? EMPTY : this.parent.read(this.base + start, len);
  }
  subrange(start: number, end: number): ByteSource {
    const [s, len] = clip(this.size, start, end - start);
    return new RangeSource(this.parent, this.base + s, len);
  }
}

// A FileSource whose owner forgot close() must not leak its descriptor for the daemon's lifetime.
const fdFinalizer = new FinalizationRegistry<{ fd: number | undefined }>((held) => {
  if (held.fd !== undefined) fs.closeSync(held.fd);
});

/**
 * A file read with pread. The descriptor is opened lazily and reopened after close(), so views handed to
 * analyzers keep working after the unpacker released the image (blobs are written once, never changed).
 */
export class FileSource implements ByteSource {
  readonly size: number;
  private readonly held: { fd: number | undefined };

  /** Throws the fs error (ENOENT, EISDIR ...) when the file cannot be opened. */
  constructor(readonly path: string) {
    const fd = fs.openSync(path, 'r');
    this.held = { fd };
    this.size = fs.fstatSync(fd).size;
    fdFinalizer.register(this, this.held, this);
  }

  private fd(): number {
    this.held.fd ??= fs.openSync(this.path, 'r');
    return this.held.fd;
  }

  read(offset: number, length: number): Buffer {
    const [start, len] = clip(this.size, offset, length);
    if (len === 0) return EMPTY;
    const out = Buffer.allocUnsafe(len);
    const fd = this.fd();
    let done = 0;
    while (done < len) {
      // readSync caps a single call near 2 GiB; loop also covers short reads.
      const n = fs.readSync(fd, out, done, Math.min(len - done, 0x40000000), start + done);
      if (n === 0) break;
      done += n;
    }
    return done === len ? out : out.subarray(0, done);
  }

  subrange(start: number, end: number): ByteSource {
    const [s, len] = clip(this.size, start, end - start);
    return new RangeSource(this, s, len);
  }

  close(): void {
    if (this.held.fd !== undefined) {
      fs.closeSync(this.held.fd);
      this.held.fd = undefined;
    }
  }
}

/**
 * Bytes kept as the list of buffers a decompressor produced: no concatenation, so a 256 MiB payload costs
 * 256 MiB, not twice that at the moment it is finished.
 */
export class ChunkListSource implements ByteSource {
  readonly size: number;
  private readonly starts: number[] = [];

  constructor(private readonly parts: Buffer[]) {
    let pos = 0;
    for (const p of parts) {
      this.starts.push(pos);
      pos += p.length;
    }
    this.size = pos;
  }

  /** Index of the part holding byte `offset` (binary search over the part starts). */
  private partAt(offset: number): number {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  read(offset: number, length: number): Buffer {
    const [start, len] = clip(this.size, offset, length);
    if (len === 0) return EMPTY;
    let i = this.partAt(start);
    const first = this.parts[i] as Buffer;
    const inFirst = start - (this.starts[i] ?? 0);
    if (inFirst + len <= first.length) return first.subarray(inFirst, inFirst + len);
    const out = Buffer.allocUnsafe(len);
    let done = 0;
    let at = inFirst;
    while (done < len && i < this.parts.length) {
      const part = this.parts[i] as Buffer;
      done += part.copy(out, done, at, Math.min(part.length, at + (len - done)));
      at = 0;
      i++;
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    const [s, len] = clip(this.size, start, end - start);
    return new RangeSource(this, s, len);
  }
}
