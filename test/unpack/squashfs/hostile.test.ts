// Hostile images: real mksquashfs output (tables stored uncompressed, -noI -noD -noF, so single fields can be
// patched) with one lie each: directories that lead back to themselves, a fragment index past the table,
// block sizes past the block size, data past the end, a sparse bomb, names that climb out; then a few hundred
// random mutations. The rule for all: open() returns, problems are reported, reads fail with FW_ERR_* codes,
// nothing hangs and nothing allocates what the image merely claims.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import type { OpenContext } from '../../../service/unpack/handler.js';
import { squashfsHandler } from '../../../service/unpack/handlers/squashfs.js';
import { DEFAULT_UNPACK_LIMITS } from '../../../service/unpack/limits.js';
import { CappedSink } from '../../../service/unpack/payload-sink.js';
import type { MemoryTree } from '../../../service/unpack/memory-tree.js';
import { hasMksquashfs, makeSparseFile, makeSquashfs } from '../../fixtures/unpack/squashfs.js';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-squashfs-hostile-');

interface Opened {
  tree: MemoryTree | undefined;
  problems: Array<{ code: string; message: string; path?: string }>;
}

/** identify + open in process, as the engine does, collecting problems. */
async function openBuffer(buf: Buffer): Promise<Opened> {
  const problems: Opened['problems'] = [];
  const src = new BufferSource(buf);
  const chunk = squashfsHandler.identify(src, 0);
  if (!chunk) return { tree: undefined, problems };
  const ctx: OpenContext = {
    limits: DEFAULT_UNPACK_LIMITS,
    signal: new AbortController().signal,
    problem: (code, message, p) => problems.push({ code, message, ...(p !== undefined ? { path: p } : {}) }),
    createSink: () => new CappedSink(1 << 20, () => {}),
  };
  const r = await squashfsHandler.open(src, chunk, ctx);
  return { tree: r.kind === 'tree' ? (r.tree as MemoryTree) : undefined, problems };
}

/** Reads every file both ways; only FirmwardenErrors may come out of read(), nothing out of a source. */
async function readAll(tree: MemoryTree): Promise<number> {
  let failures = 0;
  for (const n of tree.walk()) {
    if (n.type !== 'file') continue;
    tree.openSource(n.path)?.read(0, 4096);
    try {
      await tree.read(n.path);
    } catch (err) {
      if (!(err instanceof FirmwardenError)) throw err;
      failures++;
    }
  }
  return failures;
}

interface Layout {
  image: Buffer;
  inodeTable: number;
  dirTable: number;
  rootOffset: number;
  /** Offset in the image of the inode a directory entry named `name` points to, and of that entry. */
  entry(name: string): { entryAt: number; inodeAt: number };
}

function layout(image: Buffer): Layout {
  // -noI/-noD: each metadata block is a 2-byte header (0x8000 | length) and the bytes as they are.
  const inodeTable = Number(image.readBigUInt64LE(64));
  const dirTable = Number(image.readBigUInt64LE(72));
  const root = Number(image.readBigUInt64LE(32));
  return {
    image,
    inodeTable,
    dirTable,
    rootOffset: root & 0xffff,
    entry(name) {
      const at = image.indexOf(Buffer.from(name), dirTable);
      if (at < 0) throw new Error(`no entry ${name}`);
      const entryAt = at - 8;
      expect(image.readUInt16LE(entryAt + 6) + 1).toBe(name.length);
      return { entryAt, inodeAt: inodeTable + 2 + image.readUInt16LE(entryAt) };
    },
  };
}

const available = hasMksquashfs();
let base: Buffer = Buffer.alloc(0);
if (available) {
  const tree = path.join(work, 'tree');
  fs.mkdirSync(path.join(tree, 'loopdir/sub'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'loopdir/inner.txt'), 'inner\n');
  fs.writeFileSync(path.join(tree, 'loopdir/sub/deep.txt'), 'deep\n');
  fs.writeFileSync(path.join(tree, 'frag.txt'), Buffer.alloc(1234, 0x41));
  fs.writeFileSync(path.join(tree, 'big.bin'), pseudoRandom(300_000, 9));
  fs.writeFileSync(path.join(tree, 'evilnam'), 'x');
  fs.symlinkSync('big.bin', path.join(tree, 'link'));
  base = fs.readFileSync(makeSquashfs(tree, path.join(work, 'base.sqfs'), { args: ['-noI', '-noD', '-noF', '-no-exports'] }));
}
// Only the tables are within the small image's first metadata blocks; a sanity check that the helpers work.
const patched = (fn: (l: Layout) => void): Buffer => {
  const copy = Buffer.from(base);
  fn(layout(copy));
  return copy;
};

describe.skipIf(!available)('squashfs on hostile images', () => {
  it('opens the unpatched image cleanly (the helpers find what they patch)', async () => {
    const { tree, problems } = await openBuffer(base);
    expect(problems).toEqual([]);
    expect(await readAll(tree!)).toBe(0);
    const l = layout(Buffer.from(base));
    expect(l.image.readUInt16LE(l.entry('frag.txt').inodeAt)).toBe(2);
  });

  it('reports a directory entry that points back at the root, and lists the rest', async () => {
    const img = patched((l) => l.image.writeUInt16LE(l.rootOffset, l.entry('loopdir').entryAt));
    const { tree, problems } = await openBuffer(img);
    expect(problems.map((p) => p.code)).toContain('FW_ERR_UNPACK_MALFORMED');
    expect(problems.some((p) => /leads back/.test(p.message))).toBe(true);
    expect(tree!.lstat('/frag.txt')?.type).toBe('file');
    expect(tree!.lstat('/loopdir')).toBeUndefined();
  });

  it('reports a directory whose listing is its parent (a cycle), without looping', async () => {
    const img = patched((l) => {
      const dir = l.entry('loopdir').inodeAt;
      const root = l.inodeTable + 2 + l.rootOffset;
      // Give loopdir the root's listing: start block, size and offset of its directory data.
      l.image.writeUInt32LE(l.image.readUInt32LE(root + 16), dir + 16);
      l.image.writeUInt16LE(l.image.readUInt16LE(root + 24), dir + 24);
      l.image.writeUInt16LE(l.image.readUInt16LE(root + 26), dir + 26);
    });
    const { tree, problems } = await openBuffer(img);
    expect(problems.some((p) => /leads back/.test(p.message))).toBe(true);
    expect(tree!.lstat('/loopdir/frag.txt')?.type).toBe('file');
    expect(tree!.lstat('/loopdir/loopdir')).toBeUndefined();
  });

  it('fails the read of a file whose fragment index is past the table', async () => {
    const img = patched((l) => l.image.writeUInt32LE(9999, l.entry('frag.txt').inodeAt + 20));
    const { tree } = await openBuffer(img);
    await expect(tree!.read('/frag.txt')).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED', message: expect.stringMatching(/fragment 9999/) });
    expect((await tree!.read('/loopdir/inner.txt')).toString()).toBe('inner\n');
    const p = path.join(work, 'bad-fragment.sqfs');
    fs.writeFileSync(p, img);
    const r = await unpack(p);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_MALFORMED');
  });

  it('rejects block sizes that lie: in the superblock, and in a block list', async () => {
    const sbLie = Buffer.from(base);
    sbLie.writeUInt32LE(65536, 12);
    expect((await openBuffer(sbLie)).tree).toBeUndefined();
    const img = patched((l) => l.image.writeUInt32LE(0x00ffffff, l.entry('big.bin').inodeAt + 32));
    const { tree } = await openBuffer(img);
    await expect(tree!.read('/big.bin')).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
    expect(tree!.openSource('/big.bin')!.read(0, 100).length).toBe(0);
  });

  it('rejects offsets past the end: tables, the root inode, file data', async () => {
    const tables = Buffer.from(base);
    tables.writeBigUInt64LE(BigInt(base.length * 4), 72);
    expect((await openBuffer(tables)).tree).toBeUndefined();
    const rootPast = Buffer.from(base);
    rootPast.writeUInt16LE(8000, 32);
    const r1 = await openBuffer(rootPast);
    expect(r1.problems.some((p) => /root inode/.test(p.message))).toBe(true);
    const dataPast = patched((l) => l.image.writeUInt32LE(0x7fff0000, l.entry('big.bin').inodeAt + 16));
    const { tree } = await openBuffer(dataPast);
    await expect(tree!.read('/big.bin')).rejects.toBeInstanceOf(FirmwardenError);
  });

  it('does not allocate what a patched size claims (4 GiB file, no blocks)', async () => {
    const img = patched((l) => {
      const at = l.entry('big.bin').inodeAt;
      l.image.writeUInt32LE(0xffffffff, at + 20);
      l.image.writeUInt32LE(0xffffffff, at + 28);
    });
    const { tree } = await openBuffer(img);
    expect(tree!.lstat('/big.bin')?.size).toBe(0xffffffff);
    await expect(tree!.read('/big.bin')).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_LIMIT' });
    expect(tree!.openSource('/big.bin')!.read(0, 4096).length).toBe(0);
  });

  it('survives a real sparse bomb: 512 MiB of holes in 4 KiB', async () => {
    // mksquashfs reads every hole, so the bomb is kept small enough to build fast and the in-memory cap lowered.
    const tree = path.join(work, 'bomb');
    makeSparseFile(path.join(tree, 'bomb.img'), 512 * 1024 ** 2, Buffer.from('x'), 300 * 1024 ** 2);
    const image = makeSquashfs(tree, path.join(work, 'bomb.sqfs'), { comp: 'xz', blockSize: 1048576 });
    expect(fs.statSync(image).size).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().rss;
    const r = await unpack(image, { maxPayloadInMemory: 64 * 1024 ** 2 });
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_LIMIT');
    const view = r.filesystems[0]!;
    expect(view.lstat('/bomb.img')?.size).toBe(512 * 1024 ** 2);
    await expect(view.read('/bomb.img')).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_LIMIT' });
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 ** 2);
  });

  it('drops directory entries whose names climb out of the tree', async () => {
    const img = patched((l) => l.image.write('../evil', l.entry('evilnam').entryAt + 8, 'latin1'));
    const { tree, problems } = await openBuffer(img);
    expect(problems.map((p) => p.code)).toContain('FW_ERR_UNPACK_PATH_TRAVERSAL');
    expect([...tree!.walk()].some((n) => n.path.includes('evil'))).toBe(false);
  });

  it('never throws, hangs or lets a foreign error out on 500 random mutations', async () => {
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const gz = fs.readFileSync(makeSquashfs(path.join(work, 'tree'), path.join(work, 'mut-gzip.sqfs'), { comp: 'gzip', blockSize: 4096 }));
    let opened = 0;
    for (let i = 0; i < 500; i++) {
      const img = Buffer.from(i % 2 === 0 ? base : gz);
      // Mutations land in the superblock and tables more often than in file data, where they matter more.
      const tablesFrom = Number(img.readBigUInt64LE(64));
      for (let k = 1 + rand(4); k > 0; k--) {
        const at = rand(3) === 0 ? rand(96) : rand(4) === 0 ? rand(img.length) : tablesFrom + rand(Math.max(1, img.length - tablesFrom));
        img[at] = rand(4) === 0 ? 0xff : rand(256);
      }
      const t0 = performance.now();
      const { tree } = await openBuffer(img);
      if (tree) {
        opened++;
        await readAll(tree);
      }
      expect(performance.now() - t0, `mutation ${i}`).toBeLessThan(5000);
    }
    expect(opened).toBeGreaterThan(100);
  });
});
