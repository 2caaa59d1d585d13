// A squashfs file as a ByteSource, decoded on demand: the engine peeks at every file's first bytes for
// nested containers, and an image stored as a file of another image is read through one of these piecewise.
// It never throws (it is read outside any handler): damage cuts a read short and is reported once.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { SquashfsDecodeError } from './compressors.js';
import type { DataReader } from './file-data.js';
import type { FileLayout } from './inode-table.js';

/** A view of part of a file source, offsets from 0. */
class SubSource implements ByteSource {
  constructor(
    private readonly parent: ByteSource,
    private readonly base: number,
    readonly size: number,
  ) {}
  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.floor(offset));
    const len = Math.min(this.size - start, Math.floor(length));
    return len > 0 ? this.parent.read(this.base + start, len) : Buffer.alloc(0);
  }
  subrange(start: number, end: number): ByteSource {
    const s = Math.min(this.size, Math.max(0, Math.floor(start)));
    return new SubSource(this.parent, this.base + s, Math.max(0, Math.min(this.size, Math.floor(end)) - s));
  }
}

/** A file's bytes, decoded on demand; problems go to `report`. */
export class SquashfsFileSource implements ByteSource {
  readonly size: number;
  private list: Uint32Array | undefined;
  private reported = false;
  private readonly cache = new Map<number, Buffer>();

  constructor(
    private readonly reader: DataReader,
    private readonly f: FileLayout,
    private readonly maxRead: number,
    private readonly report: (err: Error) => void,
  ) {
    this.size = f.size;
  }

  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.floor(offset));
    let len = Math.min(this.size - start, Math.floor(length));
    if (!(len > 0)) return Buffer.alloc(0);
    if (len > this.maxRead) {
      this.once(new SquashfsDecodeError(ErrorCodes.UNPACK_LIMIT, `read of ${len} bytes cut at ${this.maxRead}`));
      len = this.maxRead;
    }
    try {
      this.list ??= this.reader.blockList(this.f);
    } catch (err) {
      this.once(err as Error);
      return Buffer.alloc(0);
    }
    const r = this.reader.read(this.f, this.list, start, len, this.cache);
    if (r.error) this.once(r.error);
    return r.data;
  }

  subrange(start: number, end: number): ByteSource {
    return new SubSource(this, 0, this.size).subrange(start, end);
  }

  private once(err: Error): void {
    if (this.reported) return;
    this.reported = true;
    this.report(err);
  }
}
