// Builds the view of one squashfs image: the directory tree is walked from the root inode once, at open, into
// a MemoryTree whose files decode their blocks when read. The walk is bounded against hostile images: each
// directory inode is entered once (cycles and hard-linked directories are reported), depth and path length
// are capped, and every entry counts against the file budget whether or not it could be read.
import { ErrorCodes, FirmwardenError, type ErrorCode } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import type { OpenContext } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { BlockDecoder, type BlockVariant } from './compressors.js';
import { readDirectoryV4, type DirListing, type DirLocation } from './directory-table.js';
import { sharedDecodePool, type DecodePool } from './decode-pool.js';
import { DataReader } from './file-data.js';
import { SquashfsFileSource } from './file-source.js';
import { FragmentTable } from './fragment-table.js';
import { readOwners, type Owners } from './id-table.js';
import { NO_XATTR, readInodeV4, type FileLayout, type Inode } from './inode-table.js';
import { MetadataReader } from './metadata-reader.js';
import { Flags, METADATA_SIZE, type InodeRef, type Superblock } from './superblock.js';
import { readDirectoryV3, readInodeV3 } from './v3-legacy.js';
import { XattrTable } from './xattr-table.js';

const MAX_DEPTH = 256;
const MAX_PATH = 16384;
const ABORT_CHECK_EVERY = 1024;

export interface SquashfsMeta {
  version: string;
  endian: 'little' | 'big';
  /** Differs from `endian` in AVM-style big-endian images, whose metadata block headers stayed little-endian. */
  metadataEndian: 'little' | 'big';
  magic: string;
  compression: string;
  blockSize: number;
  inodes: number;
  fragments: number;
  bytesUsed: number;
  mkfsTime: number;
  flags: string[];
  /** Blocks decoded so far, by the layout that decoded them (vendor LZMA shows here); grows as files are read. */
  blockVariants: Partial<Record<BlockVariant, number>>;
  /** Inodes that carry extended attributes (read them with xattrs()). */
  xattrInodes: number;
}

export class SquashfsTree extends MemoryTree {
  private readonly xattrIndex = new Map<string, number>();
  private xattrTable: XattrTable | undefined;
  /** Regular files by path: read() decodes their blocks (and fragments ahead) concurrently. */
  private readonly layouts = new Map<string, FileLayout>();
  private data: DataReader | undefined;
  private pool: DecodePool | undefined;
  private maxRead = 0;

  constructor(
    readonly meta: SquashfsMeta,
    private readonly report: (code: ErrorCode, message: string, path?: string) => void,
    maxEntries: number,
  ) {
    super('squashfs', report, maxEntries);
  }

  /** Extended attributes of the node at `path` (not following symlinks); undefined when it has none. */
  xattrs(path: string): Map<string, Buffer> | undefined {
    const node = this.lstat(path);
    const index = node ? this.xattrIndex.get(node.path) : undefined;
    if (index === undefined || !this.xattrTable) return undefined;
    try {
      return this.xattrTable.get(index);
    } catch (err) {
      this.report(codeOf(err), `extended attributes: ${(err as Error).message}`, path);
      return undefined;
    }
  }

  /** Whole contents of a regular file, its blocks decoded on several threads. */
  override async read(path: string): Promise<Buffer> {
    const node = this.stat(path);
    const f = node?.type === 'file' && this.data ? this.layouts.get(node.hardLinkOf ?? node.path) : undefined;
    if (!f || !this.data || f.size === 0 || f.size > this.maxRead) return super.read(path);
    try {
      return await this.data.readWhole(f, this.pool);
    } catch (err) {
      if (err instanceof FirmwardenError) throw err;
      throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `cannot read ${path}: ${(err as Error).message}`, { path }, { cause: err });
    }
  }

  /** @internal used by the builder. */
  useReader(data: DataReader, pool: DecodePool | undefined, maxRead: number): void {
    this.data = data;
    this.pool = pool;
    this.maxRead = maxRead;
  }

  /** @internal used by the builder. */
  addLayout(path: string, f: FileLayout): void {
    this.layouts.set(path, f);
  }

  /** @internal used by the builder. */
  setXattr(path: string, index: number, table: XattrTable): void {
    this.xattrIndex.set(path, index);
    this.xattrTable = table;
    this.meta.xattrInodes++;
  }
}

function codeOf(err: unknown): ErrorCode {
  return err instanceof FirmwardenError ? err.code : ErrorCodes.UNPACK_MALFORMED;
}

function flagNames(sb: Superblock): string[] {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(Flags)) {
    if (sb.major < 4 && bit > Flags.exportable) continue;
    if (sb.major === 4 && bit === Flags.checkData) continue;
    if (sb.flags & bit) names.push(name);
  }
  return names;
}

const refKey = (r: InodeRef): number => r.block * 65536 + r.offset;

interface Pending {
  path: string;
  dir: DirLocation;
  depth: number;
}

/** Builds the tree of the image `body` (offsets from its superblock). Never throws for bad content. */
export function buildSquashfsTree(body: ByteSource, sb: Superblock, ctx: OpenContext): SquashfsTree {
  const e = sb.endian;
  const decoder = new BlockDecoder(sb.compression, sb.major < 4, Math.max(sb.blockSize, METADATA_SIZE));
  const meta: SquashfsMeta = {
    version: `${sb.major}.${sb.minor}`,
    endian: e.little ? 'little' : 'big',
    metadataEndian: sb.metaEndian.little ? 'little' : 'big',
    magic: sb.magic,
    compression: decoder.name,
    blockSize: sb.blockSize,
    inodes: sb.inodes,
    fragments: sb.fragments,
    bytesUsed: sb.bytesUsed,
    mkfsTime: sb.mkfsTime,
    flags: flagNames(sb),
    blockVariants: decoder.used,
    xattrInodes: 0,
  };
  const problem = (code: ErrorCode, message: string, path?: string): void => ctx.problem(code, message, path);
  const tree = new SquashfsTree(meta, problem, ctx.limits.maxFiles);
  const reader = new MetadataReader(body, sb.metaEndian, decoder, sb.checkData, sb.bytesUsed);
  let owners: Owners = { uid: () => 0, gid: () => 0 };
  try {
    owners = readOwners(body, reader, sb, e);
  } catch (err) {
    problem(codeOf(err), `owner table unreadable, owners shown as 0: ${(err as Error).message}`);
  }
  const fragments = new FragmentTable(body, reader, sb, e);
  const xattrs = new XattrTable(body, reader, sb, e);
  const data = new DataReader(body, e, sb.blockSize, decoder, reader, fragments, sb.bytesUsed);
  const maxRead = ctx.limits.maxPayloadInMemory;
  // Workers, when the image is worth them, start now and load while the tree is walked.
  const pool = decoder.worthOffloading ? sharedDecodePool(sb.bytesUsed) : undefined;
  pool?.warm();
  tree.useReader(data, pool, maxRead);

  const readInode = (ref: InodeRef): Inode => {
    const cur = reader.cursor(sb.inodeTableStart + ref.block, ref.offset);
    return sb.major === 4 ? readInodeV4(cur, e, sb.blockLog) : readInodeV3(cur, e, sb.major, sb.blockLog, sb.mkfsTime);
  };
  const readDir = (dir: DirLocation, max: number): DirListing =>
    sb.major === 4 ? readDirectoryV4(reader, sb.directoryTableStart, dir, e, max) : readDirectoryV3(reader, sb.directoryTableStart, dir, e, sb.major, max);
  let badOwner = false;
  const owner = (inode: Inode, path: string): { uid: number; gid: number } => {
    const uid = owners.uid(inode.uidIndex);
    const gid = owners.gid(inode.gidIndex, uid ?? 0);
    if ((uid === undefined || gid === undefined) && !badOwner) {
      badOwner = true;
      problem(ErrorCodes.UNPACK_MALFORMED, `owner index ${inode.uidIndex}/${inode.gidIndex} past the id table; shown as 0`, path);
    }
    return { uid: uid ?? 0, gid: gid ?? 0 };
  };

  let root: Inode;
  try {
    root = readInode(sb.rootInode);
  } catch (err) {
    problem(codeOf(err), `root inode unreadable: ${(err as Error).message}`);
    return tree;
  }
  if (!root.dir) {
    problem(ErrorCodes.UNPACK_MALFORMED, `root inode is a ${root.type}, not a directory`);
    return tree;
  }
  tree.add({ path: '.', type: 'dir', mode: root.mode, ...owner(root, '/'), mtime: root.mtime });

  const visitedDirs = new Set<number>([refKey(sb.rootInode)]);
  const firstPath = new Map<number, string>();
  const byNumber = new Map<number, string>();
  const stack: Pending[] = [{ path: '', dir: root.dir, depth: 0 }];
  let budget = ctx.limits.maxFiles;
  let seen = 0;
  while (stack.length > 0 && budget > 0) {
    const { path, dir, depth } = stack.pop()!;
    const listing = readDir(dir, budget);
    if (listing.error) problem(codeOf(listing.error), `directory listing cut short: ${listing.error.message}`, path || '/');
    for (const entry of listing.entries) {
      if (++seen % ABORT_CHECK_EVERY === 0) ctx.signal.throwIfAborted();
      budget--;
      const name = entry.name.toString('utf8');
      if (name === '' || name === '.' || name === '..' || name.includes('/')) {
        problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `directory entry named "${name}" dropped`, path || '/');
        continue;
      }
      if (name.includes('\0')) {
        problem(ErrorCodes.UNPACK_MALFORMED, `directory entry name with a NUL byte dropped`, path || '/');
        continue;
      }
      // Relative paths: MemoryTree flags "/"-rooted names as absolute (a tar -P trick).
      const childPath = path ? `${path}/${name}` : name;
      if (childPath.length > MAX_PATH) {
        problem(ErrorCodes.UNPACK_LIMIT, `path longer than ${MAX_PATH} characters; not listed`, path);
        continue;
      }
      const ref = { block: entry.block, offset: entry.offset };
      const key = refKey(ref);
      const origin = firstPath.get(key);
      if (origin !== undefined) {
        tree.addHardLink(childPath, origin);
        continue;
      }
      if (visitedDirs.has(key)) {
        problem(ErrorCodes.UNPACK_MALFORMED, 'directory entry leads back to a directory already listed (loop or hard-linked directory); not followed', childPath);
        continue;
      }
      let inode: Inode;
      try {
        inode = readInode(ref);
      } catch (err) {
        problem(codeOf(err), `inode unreadable: ${(err as Error).message}`, childPath);
        continue;
      }
      // A hard link whose inode was written twice (same inode number, another copy) is still a hard link.
      const twin = inode.file && inode.number > 0 ? byNumber.get(inode.number) : undefined;
      if (twin !== undefined && tree.lstat(twin)?.size === inode.file!.size) {
        tree.addHardLink(childPath, twin);
        continue;
      }
      const base = { path: childPath, mode: inode.mode, ...owner(inode, childPath), mtime: inode.mtime };
      let added;
      if (inode.dir) {
        visitedDirs.add(key);
        added = tree.add({ ...base, type: 'dir' });
        if (added) {
          if (depth + 1 >= MAX_DEPTH) problem(ErrorCodes.UNPACK_LIMIT, `directories nested deeper than ${MAX_DEPTH}; not listed`, childPath);
          else stack.push({ path: childPath, dir: inode.dir, depth: depth + 1 });
        }
      } else if (inode.file) {
        added = tree.add({ ...base, type: 'file', size: inode.file.size, ...fileBody(data, inode.file, maxRead, (err) => problem(codeOf(err), `file data: ${err.message}`, childPath)) });
      } else if (inode.type === 'symlink') {
        added = tree.add({ ...base, type: 'symlink', linkTarget: (inode.target ?? Buffer.alloc(0)).toString('utf8') });
      } else {
        added = tree.add({ ...base, type: inode.type, ...(inode.rdev ? { rdev: inode.rdev } : {}) });
      }
      if (!added) continue;
      if (!inode.dir) firstPath.set(key, added.path);
      if (inode.file) {
        tree.addLayout(added.path, inode.file);
        if (inode.number > 0) byNumber.set(inode.number, added.path);
      }
      if (inode.xattr !== NO_XATTR && xattrs.present) tree.setXattr(added.path, inode.xattr, xattrs);
    }
  }
  if (budget <= 0 && stack.length > 0) problem(ErrorCodes.UNPACK_LIMIT, `more than ${ctx.limits.maxFiles} entries; the rest were not listed`);
  return tree;
}

/** A file's contents: `content` throws on damage (for view.read), `source` cuts short and reports (for peeks). */
function fileBody(data: DataReader, f: FileLayout, maxRead: number, report: (err: Error) => void): { content: () => Buffer; source: () => ByteSource } {
  return {
    content: () => {
      if (f.size === 0) return Buffer.alloc(0);
      if (f.size > maxRead) throw new FirmwardenError(ErrorCodes.UNPACK_LIMIT, `file of ${f.size} bytes is larger than maxPayloadInMemory (${maxRead})`);
      const r = data.read(f, data.blockList(f), 0, f.size);
      if (r.error) throw r.error instanceof FirmwardenError ? r.error : new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, r.error.message);
      return r.data;
    },
    source: () => new SquashfsFileSource(data, f, maxRead, report),
  };
}
