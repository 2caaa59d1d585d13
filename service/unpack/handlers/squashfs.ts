// SquashFS, the root filesystem of most routers and PLCs: 4.0 and the older 2.x/3.x layouts, little or big
// endian, every compressor squashfs-tools knows plus the vendor LZMA variants (see squashfs/compressors.ts).
// The chunk is the superblock's bytes_used plus mksquashfs's zero fill up to the next 4 KiB (anything else
// after it, such as 0xFF flash padding, is left to the engine as an unknown region). The format lives in
// ../squashfs/; this file only sizes and opens.
import { ErrorCodes } from '../../errors.js';
import { magic, type Handler } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { buildSquashfsTree } from '../squashfs/squashfs-tree.js';
import { DEVICE_BLOCK, parseSuperblock, probeMetadataEndian, SQUASHFS_MAGICS, SUPERBLOCK_V3_SIZE } from '../squashfs/superblock.js';

export const squashfsHandler: Handler = {
  name: 'squashfs',
  kind: 'filesystem',
  magics: SQUASHFS_MAGICS.map((m) => magic(m)),

  identify(src, start) {
    const sb = parseSuperblock(src.read(start, SUPERBLOCK_V3_SIZE));
    if (!sb) return null;
    // The first inode block must have a sane header when it is there to look at: noise rarely does.
    if (probeMetadataEndian(sb, src.read(start + sb.inodeTableStart, 2)) === false) return null;
    const meta = { version: `${sb.major}.${sb.minor}`, metadataEndian: sb.metaEndian.little ? 'little' : 'big', endian: sb.endian.little ? 'little' : 'big', bytesUsed: sb.bytesUsed, blockSize: sb.blockSize };
    let end = start + sb.bytesUsed;
    if (end > src.size) return { start, end: src.size, meta: { ...meta, truncated: true } };
    const fill = src.read(end, (DEVICE_BLOCK - (sb.bytesUsed % DEVICE_BLOCK)) % DEVICE_BLOCK);
    if (fill.length > 0 && fill.every((b) => b === 0)) end += fill.length;
    return { start, end, meta: { ...meta, truncated: false } };
  },

  async open(src, chunk, ctx) {
    const body = src.subrange(chunk.start, chunk.end);
    const sb = parseSuperblock(body.read(0, SUPERBLOCK_V3_SIZE));
    if (sb) probeMetadataEndian(sb, body.read(sb.inodeTableStart, 2));
    if (!sb) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'squashfs superblock no longer valid');
      return { kind: 'tree', tree: new MemoryTree('squashfs') };
    }
    if (chunk.meta['truncated'] === true || body.size < sb.bytesUsed) {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `squashfs image cut short: ${body.size} of ${sb.bytesUsed} bytes`);
    }
    return { kind: 'tree', tree: buildSquashfsTree(body, sb, ctx) };
  },
};
