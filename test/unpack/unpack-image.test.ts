import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unpackImage } from '../../service/unpack/unpack-image.js';
import { gzipFile, makeCpio, makeTar, makeZip } from '../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../fixtures/unpack/source-tree.js';
import { rawTar } from '../fixtures/unpack/tar-writer.js';
import { errorCodes, tempDir, unpack } from './helpers.js';

const work = tempDir();
const tree = path.join(work, 'tree');
makeSourceTree(tree);

function write(name: string, data: Buffer): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, data);
  return p;
}

describe('unpackImage', () => {
  it('carves a flash-like image: header, gzip(tar), 0xFF padding, cpio, trailer', async () => {
    const tgz = fs.readFileSync(gzipFile(makeTar(tree, path.join(work, 'fw.tar')), path.join(work, 'fw.tar.gz')));
    const cpio = fs.readFileSync(makeCpio(tree, path.join(work, 'fw.cpio')));
    const header = pseudoRandom(64, 11);
    const padTo = (n: number): number => Math.ceil(n / 65536) * 65536;
    const padding = Buffer.alloc(padTo(64 + tgz.length) - 64 - tgz.length, 0xff);
    const trailer = pseudoRandom(512, 12);
    const image = write('flash.bin', Buffer.concat([header, tgz, padding, cpio, trailer]));
    const cpioAt = 64 + tgz.length + padding.length;

    const progress: number[] = [];
    const r = await unpackImage({ imagePath: image, limits: { maxDepth: 8, maxTotalBytes: 1 << 30, maxRatio: 200, maxFiles: 1000 }, onProgress: (f) => progress.push(f) });
    r.close();
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.offset, l.depth, l.children])).toEqual([
      ['gzip', 64, 1, 1],
      ['tar', 0, 2, 0],
      ['cpio', cpioAt, 1, 0],
    ]);
    expect(r.summary.unknownRegions.map((u) => [u.offset, u.size, u.note, u.chain.length])).toEqual([
      [0, 64, undefined, 0],
      [64 + tgz.length, padding.length, 'padding', 0],
      [cpioAt + cpio.length, 512, undefined, 0],
    ]);
    expect(r.summary.rootFileSystems.map((f) => [f.id, f.format, f.chain.map((c) => c.format).join('>')])).toEqual([
      ['fs0', 'tar', 'gzip>tar'],
      ['fs1', 'cpio', 'cpio'],
    ]);
    expect(r.summary.fileCount).toBe(r.filesystems[0]!.fileCount + r.filesystems[1]!.fileCount);
    expect(r.filesystems.map((f) => f.id)).toEqual(['fs0', 'fs1']);
    // Views stay readable after close(): analyzers run after the unpacker is done.
    for (const view of r.filesystems) expect(await viewManifest(view)).toEqual(diskManifest(tree));
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1]!))).toBe(true);
  });

  it('opens containers found as files of a tree and records the path in the chain', async () => {
    const outer = path.join(work, 'outer');
    fs.mkdirSync(path.join(outer, 'updates'), { recursive: true });
    gzipFile(makeTar(tree, path.join(work, 'inner.tar')), path.join(outer, 'updates/rootfs.tar.gz'));
    makeZip(tree, path.join(outer, 'updates/web.zip'));
    fs.writeFileSync(path.join(outer, 'readme.txt'), 'not a container\n');
    const r = await unpack(makeTar(outer, path.join(work, 'outer.tar')));
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.rootFileSystems.map((f) => [f.id, f.format])).toEqual([
      ['fs0', 'tar'],
      ['fs1', 'tar'],
      ['fs2', 'zip'],
    ]);
    expect(r.filesystems[1]!.chain).toEqual([
      { format: 'tar', offset: 0, size: fs.statSync(path.join(work, 'outer.tar')).size },
      { format: 'gzip', offset: 0, size: fs.statSync(path.join(outer, 'updates/rootfs.tar.gz')).size, path: '/updates/rootfs.tar.gz' },
      expect.objectContaining({ format: 'tar', offset: 0 }),
    ]);
    expect(r.filesystems[2]!.chain[1]).toMatchObject({ format: 'zip', path: '/updates/web.zip' });
    expect(r.summary.chain[0]).toMatchObject({ format: 'tar', depth: 1, children: 2 });
    expect(await viewManifest(r.filesystems[2]!)).toEqual(diskManifest(tree));
  });

  it('stops a gzip bomb (1 GiB of zeros) at a limit, with bounded memory', async () => {
    const bomb = path.join(work, 'bomb.gz');
    await new Promise<void>((resolve, reject) => {
      const gz = zlib.createGzip({ level: 9 });
      const out = fs.createWriteStream(bomb);
      gz.pipe(out).on('finish', resolve).on('error', reject);
      const zeros = Buffer.alloc(1 << 20);
      let n = 0;
      const pump = (): void => {
        while (n < 1024) {
          n++;
          if (!gz.write(zeros)) return void gz.once('drain', pump);
        }
        gz.end();
      };
      pump();
    });
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 10);
    const r = await unpack(bomb);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_LIMIT');
    const cap = 200 * fs.statSync(bomb).size;
    expect(peak).toBeLessThan(cap + (64 << 20));
    // What was inflated before the cut is still carved: zeros, reported as padding.
    expect(r.summary.unknownRegions.at(-1)).toMatchObject({ size: cap, note: 'padding' });
  }, 60_000);

  it('cuts by maxTotalBytes and maxFiles, and stops at maxDepth', async () => {
    const bytes = await unpack(write('small-bomb.gz', zlib.gzipSync(Buffer.alloc(3 << 20))), { maxTotalBytes: 1 << 20 });
    expect(bytes.summary.errors.map((e) => [e.code, e.message.includes('maxTotalBytes')])).toEqual([['FW_ERR_UNPACK_LIMIT', true]]);

    const many = rawTar(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: `${i}` })));
    const files = await unpack(write('many.tar', many), { maxFiles: 10 });
    expect(errorCodes(files)).toEqual(['FW_ERR_UNPACK_LIMIT']);
    expect(files.summary.fileCount).toBe(10);

    let nested: Buffer = rawTar([{ name: 'core', data: 'deep inside' }]);
    for (let i = 0; i < 10; i++) nested = zlib.gzipSync(nested);
    const deep = await unpack(write('deep.gz', nested), { maxDepth: 8 });
    expect(errorCodes(deep)).toEqual(['FW_ERR_UNPACK_LIMIT']);
    expect(Math.max(...deep.summary.chain.map((l) => l.depth))).toBe(9);
    expect(deep.filesystems).toEqual([]);
  });

  it('does not look into a tree whose files declare more than the ratio allows', async () => {
    const zeros = path.join(work, 'zeros');
    fs.mkdirSync(zeros);
    fs.writeFileSync(path.join(zeros, 'big.img'), Buffer.alloc(20 << 20));
    const r = await unpack(makeZip(zeros, path.join(work, 'zeros.zip')), { maxRatio: 100 });
    expect(errorCodes(r)).toEqual(['FW_ERR_UNPACK_LIMIT']);
    expect(r.filesystems[0]!.lstat('/big.img')?.size).toBe(20 << 20);
  });

  it('reports random bytes as one unknown region and 0xFF fill as padding, without errors', async () => {
    const random = await unpack(write('random.bin', pseudoRandom(2 << 20, 99)));
    expect(random.summary.errors).toEqual([]);
    expect(random.summary.unknownRegions).toHaveLength(1);
    expect(random.summary.unknownRegions[0]).toMatchObject({ offset: 0, size: 2 << 20, chain: [] });
    expect(random.summary.unknownRegions[0]!.entropy).toBeGreaterThan(7.99);

    const ff = await unpack(write('erased.bin', Buffer.alloc(1 << 20, 0xff)));
    expect(ff.summary.unknownRegions).toEqual([{ offset: 0, size: 1 << 20, entropy: 0, note: 'padding', chain: [] }]);
  });

  it('returns an INPUT_EMPTY error for an empty file, and throws only for an unreadable path', async () => {
    const empty = await unpack(write('empty.bin', Buffer.alloc(0)));
    expect(errorCodes(empty)).toEqual(['FW_ERR_INPUT_EMPTY']);
    expect(empty.filesystems).toEqual([]);
    await expect(unpack(path.join(work, 'no-such-file'))).rejects.toMatchObject({ code: 'FW_ERR_INPUT_NOT_FOUND' });
    await expect(unpack(work)).rejects.toMatchObject({ code: 'FW_ERR_INPUT_NOT_A_FILE' });
  });

  it('never throws on damaged containers: every one ends in summary.errors', async () => {
    const tgz = fs.readFileSync(gzipFile(makeTar(tree, path.join(work, 'd.tar')), path.join(work, 'd.tar.gz')));
    const zip = fs.readFileSync(makeZip(tree, path.join(work, 'd.zip')));
    const cases: Buffer[] = [];
    for (const src of [tgz, zip, fs.readFileSync(path.join(work, 'd.tar'))]) {
      for (let seed = 1; seed <= 6; seed++) {
        const copy = Buffer.from(src);
        const noise = pseudoRandom(64, seed);
        copy.set(noise, Math.floor((copy.length - 64) * (seed / 7)));
        cases.push(copy, src.subarray(0, Math.floor((src.length * seed) / 7)));
      }
    }
    for (const [i, data] of cases.entries()) {
      const r = await unpack(write(`damaged-${i}.bin`, data));
      for (const e of r.summary.errors) expect(e.code).toMatch(/^FW_ERR_(UNPACK|INPUT)_/);
    }
  });

  it('throws the abort reason when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('job cancelled'));
    await expect(unpackImage({ imagePath: path.join(work, 'fw.tar'), limits: { maxDepth: 8, maxTotalBytes: 1 << 30, maxRatio: 200, maxFiles: 1000 }, signal: ac.signal })).rejects.toThrow('job cancelled');
  });
});
