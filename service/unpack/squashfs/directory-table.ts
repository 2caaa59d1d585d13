// Directory listings of squashfs 4.0: runs of up to 256 entries behind a header naming the metadata block
// that holds their inodes. The listing's length comes from the directory inode; reading stops there, at the
// first damaged record (what came before is kept), or after maxEntries.
import type { Endian } from './endian.js';
import { metaError, type MetadataReader, type MetaCursor } from './metadata-reader.js';

/** Entries per header and the longest name mksquashfs and the kernel accept. */
export const DIR_COUNT = 256;
export const NAME_LEN = 256;

export interface DirEntry {
  name: Buffer;
  /** The entry's inode: metadata block (from the inode table start) and offset. */
  block: number;
  offset: number;
  /** The type the listing claims (the inode's own type wins). */
  type: number;
}

export interface DirListing {
  entries: DirEntry[];
  /** Set when the listing could not be read to its end. */
  error?: Error;
}

export interface DirLocation {
  block: number;
  offset: number;
  /** Bytes of listing (the inode's size less the 3 that "." and ".." count for). */
  size: number;
}

type HeaderReader = (cur: MetaCursor) => { count: number; block: number; size: number };
type EntryReader = (cur: MetaCursor) => { offset: number; type: number; nameLen: number; size: number };

/** The shared loop; the layouts differ only in their header and entry records. */
export function readListing(reader: MetadataReader, tableStart: number, dir: DirLocation, maxEntries: number, header: HeaderReader, entry: EntryReader): DirListing {
  const entries: DirEntry[] = [];
  try {
    const cur = reader.cursor(tableStart + dir.block, dir.offset);
    let left = dir.size;
    while (left > 0) {
      const h = header(cur);
      left -= h.size;
      if (h.count > DIR_COUNT) throw metaError(`directory header claims ${h.count} entries (at most ${DIR_COUNT})`);
      for (let i = 0; i < h.count; i++) {
        if (left <= 0) throw metaError('directory entries run past the listing size');
        const en = entry(cur);
        if (en.nameLen > NAME_LEN) throw metaError(`directory entry name of ${en.nameLen} bytes`);
        const name = Buffer.from(cur.read(en.nameLen));
        left -= en.size + en.nameLen;
        entries.push({ name, block: h.block, offset: en.offset, type: en.type });
        if (entries.length >= maxEntries) return { entries };
      }
    }
    return { entries };
  } catch (err) {
    return { entries, error: err as Error };
  }
}

export function readDirectoryV4(reader: MetadataReader, tableStart: number, dir: DirLocation, e: Endian, maxEntries: number): DirListing {
  return readListing(
    reader,
    tableStart,
    dir,
    maxEntries,
    (cur) => {
      const b = cur.read(12);
      return { count: e.u32(b, 0) + 1, block: e.u32(b, 4), size: 12 };
    },
    (cur) => {
      const b = cur.read(8);
      return { offset: e.u16(b, 0), type: e.u16(b, 4), nameLen: e.u16(b, 6) + 1, size: 8 };
    },
  );
}
