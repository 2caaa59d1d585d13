// fact_extractor's jffs2/test/data/jffs2_{be,le}.img from the shared corpus (see shared/corpus/firmware/
// SOURCES.md): FACT's three test files in JFFS2, both byte orders, one cleanmarker, padded with erased flash
// to 128 KiB (which belongs to the chunk).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env.FIRMWARDEN_CORPUS ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const dir = path.join(corpus, 'firmware', 'fact_extractor', 'jffs2', 'test', 'data');
const present = fs.existsSync(path.join(dir, 'jffs2_le.img')) && fs.existsSync(path.join(dir, 'jffs2_be.img'));
if (!present) console.warn(`corpus not found at ${dir}: set FIRMWARDEN_CORPUS to run the JFFS2 corpus tests`);

describe.skipIf(!present)('corpus: fact_extractor jffs2 images', () => {
  for (const endian of ['le', 'be']) {
    it(`jffs2_${endian}.img: the three test files with their owners and times`, async () => {
      const r = await unpack(path.join(dir, `jffs2_${endian}.img`));
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'jffs2', offset: 0, size: 131072 })]);
      expect(r.summary.unknownRegions).toEqual([]);
      const view = r.filesystems[0]!;
      expect([...view.walk()].map((n) => `${n.type} ${n.path} ${n.size}`)).toEqual([
        'dir / 0',
        'dir /generic folder 0',
        'file /generic folder/test file 3_.txt 20',
        'file /testfile1 62',
        'file /testfile2 28',
      ]);
      expect((await view.read('/testfile1')).toString()).toBe('test file:\ncontent: MyTestRule 1.2.3\nVersion: Program 0.0.0.0\n');
      expect((await view.read('/testfile2')).toString()).toBe('This is the second test file');
      expect((await view.read('/generic folder/test file 3_.txt')).toString()).toBe('The third test file!');
      expect(view.lstat('/generic folder')).toMatchObject({ mode: 0o775, uid: 1000, gid: 1000, mtime: 1465202024 });
      expect(view.lstat('/testfile1')).toMatchObject({ mode: 0o664, uid: 1000, gid: 1000 });
    });
  }
});
