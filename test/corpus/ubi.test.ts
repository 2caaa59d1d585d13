// The UBI image of fkie-cad/fact_extractor's test data (see shared/corpus/firmware/SOURCES.md): 1904 PEBs of
// 1 KiB (a nandsim-sized geometry), one static volume "rootfs" whose bytes are the UBIFS image test.ubifs,
// holding FACT's standard unpack set (testfile1, testfile2, "generic folder/test file 3_.txt").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../service/unpack/byte-source.js';
import { ubiHandler } from '../../service/unpack/handlers/ubi.js';
import { unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env.FIRMWARDEN_CORPUS ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const dir = path.join(corpus, 'firmware', 'fact_extractor', 'ubi', 'test', 'data');
const present = fs.existsSync(path.join(dir, 'ubi.img'));
if (!present) console.warn(`corpus not found at ${dir}: set FIRMWARDEN_CORPUS to run the UBI corpus tests`);

describe.skipIf(!present)('corpus: fact_extractor ubi.img', () => {
  it('finds the 1 KiB-PEB geometry and the one static volume', () => {
    const src = new FileSource(path.join(dir, 'ubi.img'));
    try {
      expect(ubiHandler.identify(src, 0)).toMatchObject({
        start: 0,
        end: 1_949_696,
        meta: { pebSize: 1024, minIoSize: 64, dataOffset: 128, pebCount: 1904, truncated: false },
      });
    } finally {
      src.close();
    }
  });

  it('opens the volume, then the UBIFS in it, with FACT test files', async () => {
    const r = await unpack(path.join(dir, 'ubi.img'));
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.path ?? null, l.size])).toEqual([
      ['ubi', null, 1_949_696],
      ['ubifs', '/rootfs', 1_703_936],
    ]);
    const ubi = r.filesystems.find((f) => f.format === 'ubi')!;
    expect([...ubi.walk()].map((n) => n.path)).toEqual(['/', '/rootfs']);
    // The static volume's data sizes trim it to exactly the UBIFS image stored in it.
    expect((await ubi.read('/rootfs')).equals(fs.readFileSync(path.join(dir, 'test.ubifs')))).toBe(true);
    const fsView = r.filesystems.find((f) => f.format === 'ubifs')!;
    expect(fsView.fileCount).toBe(3);
    expect((await fsView.read('/testfile1')).toString()).toBe('test file:\ncontent: MyTestRule 1.2.3\nVersion: Program 0.0.0.0\n');
    expect((await fsView.read('/testfile2')).toString()).toBe('This is the second test file');
    expect((await fsView.read('/generic folder/test file 3_.txt')).toString()).toBe('The third test file!');
  });
});
