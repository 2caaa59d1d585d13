import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTar, type TarFormat } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { rawTar } from '../../fixtures/unpack/tar-writer.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir();

describe('tar handler', () => {
  for (const format of ['gnu', 'pax', 'ustar'] as TarFormat[]) {
    it(`extracts a ${format} tar made by GNU tar exactly`, async () => {
      const src = path.join(work, `tree-${format}`);
      makeSourceTree(src, { ustarSafe: format === 'ustar' });
      const image = makeTar(src, path.join(work, `${format}.tar`), format);
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('tar');
      expect(await viewManifest(view)).toEqual(diskManifest(src));
      // The hard link is kept as one, and the chunk covers the whole file (record padding included).
      expect(view.lstat('/bin/ls')?.hardLinkOf ?? view.lstat('/bin/busybox')?.hardLinkOf).toMatch(/^\/bin\/(ls|busybox)$/);
      expect(r.summary.chain).toEqual([{ format: 'tar', offset: 0, size: fs.statSync(image).size, depth: 1, children: 0 }]);
      expect(r.summary.unknownRegions).toEqual([]);
    });
  }

  it('reports a truncated tar and keeps what is there', async () => {
    const src = path.join(work, 'tree-trunc');
    makeSourceTree(src);
    const full = fs.readFileSync(makeTar(src, path.join(work, 'full.tar')));
    const cut = path.join(work, 'cut.tar');
    fs.writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    const r = await unpack(cut);
    expect(r.summary.errors.map((e) => e.code)).toContain('FW_ERR_UNPACK_TRUNCATED');
    expect(r.filesystems).toHaveLength(1);
    expect(r.filesystems[0]!.fileCount).toBeGreaterThan(0);
  });

  it('drops ../ and absolute escapes to the root and reports them', async () => {
    const image = path.join(work, 'traversal.tar');
    fs.writeFileSync(
      image,
      rawTar([
        { name: '../../etc/passwd', data: 'evil\n' },
        { name: '/etc/shadow', data: 'evil too\n' },
        { name: 'ok/file', data: 'fine\n' },
      ]),
    );
    const r = await unpack(image);
    const view = r.filesystems[0]!;
    expect([...view.walk()].map((n) => n.path)).toEqual(['/', '/etc', '/etc/passwd', '/etc/shadow', '/ok', '/ok/file']);
    const traversal = r.summary.errors.filter((e) => e.code === 'FW_ERR_UNPACK_PATH_TRAVERSAL');
    expect(traversal.map((e) => e.path)).toEqual(['/etc/passwd', '/etc/shadow']);
  });

  it('refuses an entry below a symlink of the same archive (tar slip)', async () => {
    const image = path.join(work, 'slip.tar');
    fs.writeFileSync(image, rawTar([{ name: 'evil', type: '2', linkname: '/tmp' }, { name: 'evil/x', data: 'pwned\n' }]));
    const r = await unpack(image);
    const view = r.filesystems[0]!;
    expect(view.lstat('/evil')?.type).toBe('symlink');
    expect(view.lstat('/evil/x')).toBeUndefined();
    expect(r.summary.errors.map((e) => e.code)).toContain('FW_ERR_UNPACK_PATH_TRAVERSAL');
  });

  it('resolves a symlink loop to undefined instead of hanging', async () => {
    const src = path.join(work, 'loop');
    fs.mkdirSync(src);
    fs.symlinkSync('b', path.join(src, 'a'));
    fs.symlinkSync('a', path.join(src, 'b'));
    fs.symlinkSync('/../../etc', path.join(src, 'up'));
    fs.writeFileSync(path.join(src, 'f'), 'x');
    const r = await unpack(makeTar(src, path.join(work, 'loop.tar')));
    const view = r.filesystems[0]!;
    expect(view.lstat('/a')?.type).toBe('symlink');
    expect(view.stat('/a')).toBeUndefined();
    await expect(view.read('/a')).rejects.toMatchObject({ code: 'FW_ERR_NOT_FOUND' });
    // ".." never climbs above the view's root.
    expect(view.stat('/up')).toBeUndefined();
    expect(view.stat('/a/../f')).toBeUndefined();
  });
});
