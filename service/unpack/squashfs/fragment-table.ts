// The fragment table: where each fragment block (the packed tails of small files) lies and how long it is.
// Entries sit in metadata blocks listed by a raw index of block positions at fragment_table_start: 16-byte
// entries with 64-bit positions in 3.x and 4.0, 8-byte entries with 32-bit ones in 2.x.
import type { ByteSource } from '../byte-source.js';
import type { Endian } from './endian.js';
import { metaError, type MetadataReader } from './metadata-reader.js';
import { METADATA_SIZE, type Superblock } from './superblock.js';

export interface FragmentEntry {
  start: number;
  /** The on-disk size word: bit 24 set when stored uncompressed. */
  size: number;
}

export class FragmentTable {
  private readonly entrySize: number;
  private readonly pointers = new Map<number, number>();

  constructor(
    private readonly src: ByteSource,
    private readonly reader: MetadataReader,
    private readonly sb: Superblock,
    private readonly e: Endian,
  ) {
    this.entrySize = sb.major === 2 ? 8 : 16;
  }

  get count(): number {
    return this.sb.fragments;
  }

  /** Throws SquashfsDecodeError for an index past the table or a damaged table. */
  get(index: number): FragmentEntry {
    if (index >= this.sb.fragments) throw metaError(`fragment ${index} past the ${this.sb.fragments} of the table`);
    const byte = index * this.entrySize;
    const blk = Math.floor(byte / METADATA_SIZE);
    const cur = this.reader.cursor(this.pointer(blk), byte % METADATA_SIZE);
    const b = cur.read(this.entrySize);
    return this.entrySize === 8 ? { start: this.e.u32(b, 0), size: this.e.u32(b, 4) } : { start: this.e.u64(b, 0), size: this.e.u32(b, 8) };
  }

  private pointer(blk: number): number {
    let p = this.pointers.get(blk);
    if (p !== undefined) return p;
    const width = this.sb.major === 2 ? 4 : 8;
    const raw = this.src.read(this.sb.fragmentTableStart + blk * width, width);
    if (raw.length < width) throw metaError('fragment table index is cut off', true);
    p = width === 4 ? this.e.u32(raw, 0) : this.e.u64(raw, 0);
    this.pointers.set(blk, p);
    return p;
  }
}
