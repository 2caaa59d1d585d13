// YAFFS2 samples of the shared corpus (see shared/corpus/firmware/SOURCES.md): binwalk v3's tests/inputs/
// yaffs2.bin (one 64-chunk block of 2048+64 pages, packed tags without ECC at spare offset 0, holding 13
// YAFFS utility sources) and fact_extractor's yaffs/test/data/yaffs2_{le,be}.img (7 chunks each, tags with
// ECC after a 2-byte bad-block marker). Hashes checked against Debian's unyaffs on the little-endian ones.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env.FIRMWARDEN_CORPUS ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const binwalk = path.join(corpus, 'firmware', 'binwalk', 'v3-tests-inputs', 'yaffs2.bin');
const factDir = path.join(corpus, 'firmware', 'fact_extractor', 'yaffs', 'test', 'data');
const present = fs.existsSync(binwalk) && fs.existsSync(path.join(factDir, 'yaffs2_le.img'));
if (!present) console.warn(`corpus not found at ${corpus}: set FIRMWARDEN_CORPUS to run the YAFFS2 corpus tests`);

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(!present)('corpus: YAFFS2 samples', () => {
  it('binwalk yaffs2.bin: 13 YAFFS sources, byte for byte what unyaffs extracts', async () => {
    const r = await unpack(binwalk);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'yaffs2', offset: 0, size: 135168 })]);
    const view = r.filesystems[0]!;
    expect(view.fileCount).toBe(13);
    expect(view.lstat('/yaffs_guts.h')).toMatchObject({ type: 'file', size: 27266, mode: 0o664, uid: 1000, gid: 1000 });
    expect(sha256(await view.read('/yaffs_ecc.c'))).toBe('6ccece2209c40c37fa28059f028a6b281cea356ba469d0269f454514231b62a5');
    expect(sha256(await view.read('/yutilsenv.h'))).toBe('d17b77b186792ba473247dce5f2de9916b70f79667a4b77ded186a4425296b52');
    expect(sha256(await view.read('/mkyaffs2image.c'))).toBe('bbb126ff5a49762055a6310186c9c5dd22534198fbd8ed77f6d768983af491a3');
    expect((await view.read('/mkyaffs2image.c')).toString()).toContain('static int write_chunk(u8 *data, u32 id, u32 chunk_id, u32 n_bytes)');
  });

  for (const endian of ['le', 'be']) {
    it(`fact_extractor yaffs2_${endian}.img: the three test files`, async () => {
      const r = await unpack(path.join(factDir, `yaffs2_${endian}.img`));
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'yaffs2', offset: 0, size: 14784 })]);
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
      expect(view.lstat('/testfile1')).toMatchObject({ mode: 0o644, uid: 1000, gid: 1000 });
    });
  }
});
