// Extended attributes (4.0): an inode's xattr index picks an id entry (where its key/value list starts and
// how many pairs it has); values may be stored "out of line" once and referenced by later inodes. Read on
// demand: nothing in the analysis needs them up front, and SELinux-labelled images have one per inode.
import type { ByteSource } from '../byte-source.js';
import type { Endian } from './endian.js';
import { metaError, type MetadataReader } from './metadata-reader.js';
import { METADATA_SIZE, NO_TABLE, type Superblock } from './superblock.js';

const PREFIXES = ['user.', 'trusted.', 'security.'];
const OUT_OF_LINE = 0x100;
const MAX_PAIRS = 65536;
const MAX_VALUE = 1 << 20;

export class XattrTable {
  private header: { tableStart: number; ids: number } | undefined;

  constructor(
    private readonly src: ByteSource,
    private readonly reader: MetadataReader,
    private readonly sb: Superblock,
    private readonly e: Endian,
  ) {}

  get present(): boolean {
    return this.sb.major === 4 && this.sb.xattrIdTableStart !== NO_TABLE;
  }

  /** The attributes of xattr id `index`. Throws SquashfsDecodeError on damage. */
  get(index: number): Map<string, Buffer> {
    const e = this.e;
    const h = this.readHeader();
    if (index >= h.ids) throw metaError(`xattr id ${index} past the ${h.ids} of the table`);
    const byte = index * 16;
    const ptr = this.src.read(this.sb.xattrIdTableStart + 16 + Math.floor(byte / METADATA_SIZE) * 8, 8);
    if (ptr.length < 8) throw metaError('xattr id index is cut off', true);
    const id = this.reader.cursor(e.u64(ptr, 0), byte % METADATA_SIZE).read(16);
    const ref = e.u64(id, 0);
    const count = e.u32(id, 8);
    if (count > MAX_PAIRS) throw metaError(`xattr list of ${count} pairs`);
    const cur = this.reader.cursor(h.tableStart + Math.floor(ref / 65536), ref % 65536);
    const out = new Map<string, Buffer>();
    for (let i = 0; i < count; i++) {
      const k = cur.read(4);
      const type = e.u16(k, 0);
      const name = cur.read(e.u16(k, 2)).toString('latin1');
      const vsize = e.u32(cur.read(4), 0);
      if (vsize > MAX_VALUE) throw metaError(`xattr value of ${vsize} bytes`);
      let value = Buffer.from(cur.read(vsize));
      if (type & OUT_OF_LINE) {
        if (vsize !== 8) throw metaError('out-of-line xattr reference is not 8 bytes');
        const vref = e.u64(value, 0);
        const vcur = this.reader.cursor(h.tableStart + Math.floor(vref / 65536), vref % 65536);
        const n = e.u32(vcur.read(4), 0);
        if (n > MAX_VALUE) throw metaError(`xattr value of ${n} bytes`);
        value = Buffer.from(vcur.read(n));
      }
      out.set((PREFIXES[type & 0xff] ?? `unknown${type & 0xff}.`) + name, value);
    }
    return out;
  }

  private readHeader(): { tableStart: number; ids: number } {
    if (this.header) return this.header;
    const b = this.src.read(this.sb.xattrIdTableStart, 16);
    if (b.length < 16) throw metaError('xattr id table is cut off', true);
    this.header = { tableStart: this.e.u64(b, 0), ids: this.e.u32(b, 8) };
    return this.header;
  }
}
