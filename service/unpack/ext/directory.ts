// ext directory entries. Hashed (htree) directories are read linearly too: their index blocks are dressed as
// one empty entry spanning the block (that is how ext2 drivers stay compatible), and metadata_csum's tail
// entry has inode 0, so a linear walk of every block sees each name exactly once.
export interface DirEntry {
  ino: number;
  name: string;
  /** The dirent's file type (0 when the filesystem has no filetype feature). */
  fileType: number;
}

/** rec_len as stored: 64 KiB blocks need the extra encoding (0 or 65535 = the whole block). */
function recLen(raw: number, blockSize: number): number {
  if (blockSize < 65536) return raw;
  if (raw === 65535 || raw === 0) return blockSize;
  return (raw & 65532) | ((raw & 3) << 16);
}

/**
 * Entries of one directory block (or inline-data region of `region.length` bytes). Returns a reason when the
 * block is damaged; the entries before the damage are still delivered.
 */
export function parseDirBlock(region: Buffer, hasFileType: boolean, out: DirEntry[]): string | undefined {
  const size = region.length;
  let at = 0;
  while (at + 8 <= size) {
    const ino = region.readUInt32LE(at);
    const len = recLen(region.readUInt16LE(at + 4), size);
    const nameLen = hasFileType ? (region[at + 6] as number) : region.readUInt16LE(at + 6) & 0xff;
    if (len < 8 || len % 4 !== 0 || at + len > size) return `directory entry at byte ${at} has a bad record length ${len}`;
    if (ino !== 0) {
      if (8 + nameLen > len) return `directory entry at byte ${at} has a name longer than its record`;
      const name = region.toString('utf8', at + 8, at + 8 + nameLen);
      if (name !== '.' && name !== '..' && nameLen > 0) out.push({ ino, name, fileType: hasFileType ? (region[at + 7] as number) : 0 });
    }
    at += len;
  }
  return undefined;
}
