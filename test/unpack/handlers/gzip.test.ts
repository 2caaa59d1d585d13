import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { gzipHandler } from '../../../service/unpack/handlers/gzip.js';
import { gzipFile, makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir();

describe('gzip handler', () => {
  it('opens a .tar.gz made by tar and gzip: the tar inside is extracted exactly', async () => {
    const src = path.join(work, 'tree');
    makeSourceTree(src);
    const image = gzipFile(makeTar(src, path.join(work, 'rootfs.tar')), path.join(work, 'rootfs.tar.gz'), 9);
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.depth])).toEqual([['gzip', 1], ['tar', 2]]);
    expect(r.summary.chain[0]).toMatchObject({ offset: 0, size: fs.statSync(image).size, children: 1 });
    expect(r.filesystems[0]!.chain.map((l) => l.format)).toEqual(['gzip', 'tar']);
    expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(src));
  });

  it('ends the chunk on the exact last byte of the stream, for every level and many sizes', () => {
    for (const level of [0, 1, 6, 9]) {
      for (const size of [0, 1, 100, 70_000, 300_000]) {
        const data = Buffer.concat([pseudoRandom(size >> 1, size + 1), Buffer.from('text '.repeat(size >> 3))]);
        const gz = zlib.gzipSync(data, { level });
        const padded = Buffer.concat([Buffer.alloc(7, 0xaa), gz, Buffer.alloc(33, 0xff)]);
        const chunk = gzipHandler.identify(new BufferSource(padded), 7);
        expect(chunk, `level ${level} size ${size}`).toMatchObject({ start: 7, end: 7 + gz.length, meta: { uncompressedSize: data.length } });
      }
    }
  });

  it('treats concatenated members as one stream, as gunzip does', async () => {
    const a = path.join(work, 'a.txt');
    fs.writeFileSync(a, 'first member\n');
    const image = path.join(work, 'multi.gz');
    fs.writeFileSync(image, Buffer.concat([fs.readFileSync(gzipFile(a, path.join(work, 'a.gz'))), zlib.gzipSync('second member\n')]));
    const chunk = gzipHandler.identify(new BufferSource(fs.readFileSync(image)), 0);
    expect(chunk).toMatchObject({ end: fs.statSync(image).size, meta: { members: 2 } });
    expect(execFileSync('gzip', ['-dc', image]).toString()).toBe('first member\nsecond member\n');
  });

  it('reports a truncated stream and still carves what it inflated', async () => {
    const src = path.join(work, 'tree2');
    makeSourceTree(src);
    const gz = fs.readFileSync(gzipFile(makeTar(src, path.join(work, 'r2.tar')), path.join(work, 'r2.tar.gz')));
    const cut = path.join(work, 'cut.tar.gz');
    fs.writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.8)));
    const r = await unpack(cut);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_TRUNCATED');
    expect(r.summary.chain.map((l) => l.format)).toEqual(['gzip', 'tar']);
    expect(r.filesystems[0]!.fileCount).toBeGreaterThan(0);
  });

  it('rejects noise that merely starts with the gzip magic', () => {
    for (let seed = 1; seed < 200; seed++) {
      const noise = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), pseudoRandom(4096, seed)]);
      expect(gzipHandler.identify(new BufferSource(noise), 0)).toBeNull();
    }
  });
});
