// Metadata blocks: every table but the data is a run of blocks of at most 8 KiB, each behind a 2-byte header
// (bit 15 set: stored; low 15 bits: length on disk). Records span block edges, so reads go through a cursor.
// Decoded blocks are cached by position (inodes of one directory share a few blocks) up to a byte budget,
// after which the cache is simply dropped: a hostile image cannot make it grow without bound.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { SquashfsDecodeError, type BlockDecoder } from './compressors.js';
import type { Endian } from './endian.js';
import { METADATA_SIZE } from './superblock.js';

const STORED = 0x8000;
const DEFAULT_CACHE_BYTES = 32 << 20;
/** The largest record read in one piece (a block list of a 64 GiB file at 4 KiB blocks). */
const MAX_RECORD = 64 << 20;

interface MetaBlock {
  data: Buffer;
  /** Position of the block that follows. */
  next: number;
}

export function metaError(message: string, truncated = false): SquashfsDecodeError {
  return new SquashfsDecodeError(truncated ? ErrorCodes.UNPACK_TRUNCATED : ErrorCodes.UNPACK_MALFORMED, message);
}

export class MetadataReader {
  private readonly cache = new Map<number, MetaBlock>();
  private cachedBytes = 0;
  /** Blocks decoded (a test checks that a cycle does not decode forever). */
  decoded = 0;

  constructor(
    /** The image, offsets relative to the superblock. */
    private readonly src: ByteSource,
    private readonly endian: Endian,
    private readonly decoder: BlockDecoder,
    /** 2.x/3.x "check data" images put a marker byte after each header. */
    private readonly checkData: boolean,
    /** Blocks must lie before this (the superblock's bytes_used). */
    private readonly end: number,
    private readonly cacheBytes = DEFAULT_CACHE_BYTES,
  ) {}

  block(pos: number): MetaBlock {
    const hit = this.cache.get(pos);
    if (hit) return hit;
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + 2 > this.end) throw metaError(`metadata block at ${pos} lies outside the image`);
    const head = this.src.read(pos, 2);
    if (head.length < 2) throw metaError(`metadata block at ${pos} is cut off`, true);
    const h = this.endian.u16(head, 0);
    const size = h & ~STORED & 0xffff;
    const skip = this.checkData ? 3 : 2;
    if (size === 0) throw metaError(`metadata block at ${pos} has length 0`);
    const body = this.src.read(pos + skip, size);
    if (body.length < size || pos + skip + size > this.end) throw metaError(`metadata block at ${pos} is cut off`, true);
    let data: Buffer;
    if (h & STORED) {
      if (size > METADATA_SIZE) throw metaError(`stored metadata block at ${pos} is ${size} bytes (at most ${METADATA_SIZE})`);
      data = body;
    } else {
      data = this.decoder.decode(body, METADATA_SIZE);
    }
    this.decoded++;
    const b: MetaBlock = { data, next: pos + skip + size };
    if (this.cachedBytes + data.length > this.cacheBytes) {
      this.cache.clear();
      this.cachedBytes = 0;
    }
    this.cache.set(pos, b);
    this.cachedBytes += data.length;
    return b;
  }

  cursor(pos: number, offset: number): MetaCursor {
    return new MetaCursor(this, pos, offset);
  }
}

/** A read position in a metadata table: the block's position and the offset inside its decoded bytes. */
export class MetaCursor {
  constructor(
    private readonly reader: MetadataReader,
    public pos: number,
    public offset: number,
  ) {}

  /** The next n bytes (a view when they sit in one block, a copy when they span blocks). */
  read(n: number): Buffer {
    if (n > MAX_RECORD) throw metaError(`a ${n}-byte metadata record is past any real one`);
    let blk = this.reader.block(this.pos);
    if (this.offset > blk.data.length) throw metaError(`offset ${this.offset} lies past the end of the metadata block at ${this.pos}`);
    if (this.offset + n <= blk.data.length) {
      const out = blk.data.subarray(this.offset, this.offset + n);
      this.offset += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      if (this.offset >= blk.data.length) {
        this.pos = blk.next;
        this.offset = 0;
        blk = this.reader.block(this.pos);
      }
      const take = Math.min(n - done, blk.data.length - this.offset);
      blk.data.copy(out, done, this.offset, this.offset + take);
      done += take;
      this.offset += take;
    }
    return out;
  }
}
