// Owners: inodes hold indexes. 4.0 has one id table (metadata blocks of u32s behind a raw index); 2.x/3.x have
// raw arrays of uids and gids, and gid index 255 means "same as the uid".
import type { ByteSource } from '../byte-source.js';
import type { Endian } from './endian.js';
import { metaError, type MetadataReader } from './metadata-reader.js';
import { METADATA_SIZE, type Superblock } from './superblock.js';

const LEGACY_SAME_AS_UID = 255;

export interface Owners {
  uid(index: number): number | undefined;
  gid(index: number, uid: number): number | undefined;
}

/** Reads the tables whole (at most 65,536 ids). Throws SquashfsDecodeError when they cannot be read. */
export function readOwners(src: ByteSource, reader: MetadataReader, sb: Superblock, e: Endian): Owners {
  if (sb.major === 4) {
    const ids = readIdTableV4(src, reader, sb, e);
    return { uid: (i) => ids[i], gid: (i) => ids[i] };
  }
  const raw = (start: number, n: number): number[] => {
    const b = src.read(start, n * 4);
    if (b.length < n * 4) throw metaError('uid/gid table is cut off', true);
    return Array.from({ length: n }, (_, i) => e.u32(b, i * 4));
  };
  const uids = raw(sb.uidStart, sb.uids);
  const gids = sb.guids > 0 ? raw(sb.guidStart, sb.guids) : [];
  return { uid: (i) => uids[i], gid: (i, uid) => (i === LEGACY_SAME_AS_UID ? uid : gids[i]) };
}

function readIdTableV4(src: ByteSource, reader: MetadataReader, sb: Superblock, e: Endian): number[] {
  const blocks = Math.ceil((sb.ids * 4) / METADATA_SIZE);
  const index = src.read(sb.idTableStart, blocks * 8);
  if (index.length < blocks * 8) throw metaError('id table index is cut off', true);
  const ids: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const n = Math.min(METADATA_SIZE / 4, sb.ids - ids.length);
    const data = reader.cursor(e.u64(index, b * 8), 0).read(n * 4);
    for (let i = 0; i < n; i++) ids.push(e.u32(data, i * 4));
  }
  return ids;
}
