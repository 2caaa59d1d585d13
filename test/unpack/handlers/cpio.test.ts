import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCpio, type CpioFormat } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir();

describe('cpio handler', () => {
  for (const format of ['newc', 'crc', 'odc'] as CpioFormat[]) {
    it(`extracts a ${format} archive made by GNU cpio exactly`, async () => {
      const src = path.join(work, `tree-${format}`);
      makeSourceTree(src);
      const image = makeCpio(src, path.join(work, `${format}.cpio`), format);
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('cpio');
      expect(await viewManifest(view)).toEqual(diskManifest(src));
      const links = ['/bin/ls', '/bin/busybox'].map((p) => view.lstat(p)?.hardLinkOf).filter(Boolean);
      expect(links).toHaveLength(1);
      // cpio pads to 512-byte blocks with zeros: still the archive, not an unknown region.
      expect(r.summary.chain[0]).toMatchObject({ format: 'cpio', offset: 0, size: fs.statSync(image).size });
      expect(r.summary.unknownRegions).toEqual([]);
    });
  }

  it('reports a truncated archive and keeps the entries before the cut', async () => {
    const src = path.join(work, 'tree-cut');
    makeSourceTree(src);
    const full = fs.readFileSync(makeCpio(src, path.join(work, 'full.cpio')));
    const cut = path.join(work, 'cut.cpio');
    fs.writeFileSync(cut, full.subarray(0, full.length - 4096));
    const r = await unpack(cut);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_TRUNCATED');
    expect(r.filesystems[0]!.fileCount).toBeGreaterThan(0);
  });
});
