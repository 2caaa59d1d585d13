// Android sparse images made by img2simg (android-sdk-libsparse-utils) from a raw image with a rootfs tar,
// a hole (don't-care chunks), a repeated 4-byte pattern (fill chunks) and random data (raw chunks). The
// expanded payload must equal the raw image byte for byte. A hand-made header (libsparse sparse_format.h)
// covers what img2simg never writes: a CRC32 chunk, and a don't-care chunk of terabytes.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../../../service/unpack/byte-source.js';
import { androidSparseHandler } from '../../../service/unpack/handlers/android-sparse.js';
import { makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { img2simg } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';
import { mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-sparse-');
const tree = path.join(work, 'tree');
makeSourceTree(tree);
const BLOCK = 4096;

/** tar at 0, a 16 MiB hole, 1 MiB of a 4-byte pattern, 300 KiB of random data, a 4 MiB hole at the end. */
function rawImage(scale = 1): string {
  const raw = path.join(work, `system-${scale}.raw`);
  const tar = fs.readFileSync(makeTar(tree, path.join(work, 'system.tar')));
  const fd = fs.openSync(raw, 'w');
  let pos = 0;
  const put = (b: Buffer): void => {
    fs.writeSync(fd, b, 0, b.length, pos);
    pos += Math.ceil(b.length / BLOCK) * BLOCK;
  };
  put(tar);
  pos += (16 << 20) / scale;
  put(Buffer.alloc((1 << 20) / scale, Buffer.from([0xde, 0xad, 0xbe, 0xef])));
  put(pseudoRandom((300 * 1024) / scale, 17));
  fs.ftruncateSync(fd, pos + (4 << 20) / scale);
  fs.closeSync(fd);
  return raw;
}

function sha256Of(src: ByteSource): string {
  const h = createHash('sha256');
  for (let pos = 0; pos < src.size; pos += 1 << 20) h.update(src.read(pos, 1 << 20));
  return h.digest('hex');
}

function chunkTypes(sparse: Buffer): number[] {
  const types: number[] = [];
  let pos = sparse.readUInt16LE(8);
  for (let i = 0; i < sparse.readUInt32LE(20); i++) {
    types.push(sparse.readUInt16LE(pos));
    pos += sparse.readUInt32LE(pos + 8);
  }
  return types;
}

/** A sparse image by hand: header, then chunks given as [type, blocks, data]. */
function handMade(totalBlocks: number, chunks: Array<[number, number, Buffer]>): Buffer {
  const h = Buffer.alloc(28);
  h.writeUInt32LE(0xed26ff3a, 0);
  h.writeUInt16LE(1, 4);
  h.writeUInt16LE(28, 8);
  h.writeUInt16LE(12, 10);
  h.writeUInt32LE(BLOCK, 12);
  h.writeUInt32LE(totalBlocks, 16);
  h.writeUInt32LE(chunks.length, 20);
  const parts = chunks.map(([type, blocks, data]) => {
    const c = Buffer.alloc(12);
    c.writeUInt16LE(type, 0);
    c.writeUInt32LE(blocks, 4);
    c.writeUInt32LE(12 + data.length, 8);
    return Buffer.concat([c, data]);
  });
  return Buffer.concat([h, ...parts]);
}

describe('android-sparse handler', () => {
  it('expands an img2simg image (raw and fill chunks) to the raw image, and extracts the tar in it', async () => {
    const raw = rawImage();
    const sparse = img2simg(raw, path.join(work, 'system.simg'));
    const data = fs.readFileSync(sparse);
    // img2simg writes zero blocks as fills of 0 (don't-care chunks are covered by the hand-made images below).
    expect(new Set(chunkTypes(data))).toEqual(new Set([0xcac1, 0xcac2]));
    const opened = await openWith(androidSparseHandler, data);
    expect(opened!.problems).toEqual([]);
    expect(opened!.chunk).toMatchObject({ start: 0, end: data.length, meta: { blockSize: BLOCK, expandedSize: fs.statSync(raw).size, truncated: false } });
    expect(opened!.result.kind).toBe('payload');
    if (opened!.result.kind !== 'payload') return;
    expect(opened!.result.data.size).toBe(fs.statSync(raw).size);
    expect(sha256Of(opened!.result.data)).toBe(createHash('sha256').update(fs.readFileSync(raw)).digest('hex'));
    // Reads that start inside a fill run keep the pattern's phase.
    const fillAt = Math.ceil(fs.statSync(path.join(work, 'system.tar')).size / BLOCK) * BLOCK + (16 << 20);
    expect(opened!.result.data.read(fillAt + 2, 6)).toEqual(Buffer.from([0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]));
    expect(opened!.result.data.subrange(fillAt + 1, fillAt + 5).read(0, 4)).toEqual(Buffer.from([0xad, 0xbe, 0xef, 0xde]));

    const r = await unpack(sparse);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => l.format)).toEqual(['android-sparse', 'tar']);
    expect(await viewManifest(r.filesystems.find((f) => f.format === 'tar')!)).toEqual(diskManifest(tree));
  });

  it('checks CRC32 chunks against the output so far', async () => {
    const block = pseudoRandom(BLOCK, 3);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(zlib.crc32(block));
    const good = await openWith(androidSparseHandler, handMade(2, [[0xcac1, 1, block], [0xcac4, 0, crc], [0xcac3, 1, Buffer.alloc(0)]]));
    expect(good!.problems).toEqual([]);
    const bad = await openWith(androidSparseHandler, handMade(2, [[0xcac1, 1, block], [0xcac4, 0, Buffer.from([1, 2, 3, 4])]]));
    expect(bad!.problems.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_MALFORMED']);
  });

  it('bounds a don\'t-care chunk of 8 TiB by the limits without allocating it', async () => {
    const bomb = path.join(work, 'bomb.simg');
    fs.writeFileSync(bomb, handMade(0x7fffffff, [[0xcac1, 1, pseudoRandom(BLOCK, 5)], [0xcac3, 0x7fffffff - 1, Buffer.alloc(0)]]));
    const before = process.memoryUsage().arrayBuffers;
    const t0 = Date.now();
    const r = await unpack(bomb, { maxRatio: 1000 });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 << 20);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_LIMIT');
    expect(r.summary.chain[0]).toMatchObject({ format: 'android-sparse', size: fs.statSync(bomb).size });
  });

  it('reports truncation and damaged chunk headers, and survives mutations', async () => {
    const data = fs.readFileSync(img2simg(rawImage(16), path.join(work, 'cut.simg')));
    await truncationRun(work, 'sparse', data, [40, 5000, Math.floor(data.length / 2), data.length - 1]);
    const bad = Buffer.from(data);
    bad.writeUInt16LE(0xcac9, 28);
    const opened = await openWith(androidSparseHandler, bad);
    expect(opened).toBeUndefined();
    await mutationRun(androidSparseHandler, data, 300, 64);
  }, 120_000);
});
