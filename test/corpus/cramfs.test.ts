// cramfs samples of the shared corpus (see shared/corpus/firmware/SOURCES.md): binwalk v3's tests/inputs/
// cramfs.bin (synthetic, little-endian, one file) and fact_extractor's sevenz/test/data/cramfs.img (FACT's
// standard three test files). Contents checked against util-linux's fsck.cramfs --extract.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env.FIRMWARDEN_CORPUS ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const binwalk = path.join(corpus, 'firmware', 'binwalk', 'v3-tests-inputs', 'cramfs.bin');
const fact = path.join(corpus, 'firmware', 'fact_extractor', 'sevenz', 'test', 'data', 'cramfs.img');
const present = fs.existsSync(binwalk) && fs.existsSync(fact);
if (!present) console.warn(`corpus not found at ${corpus}: set FIRMWARDEN_CORPUS to run the cramfs corpus tests`);

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(!present)('corpus: cramfs samples', () => {
  it('binwalk cramfs.bin: one lsb-release file of Ubuntu 22.04', async () => {
    const r = await unpack(binwalk);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'cramfs', offset: 0, size: 4096 })]);
    const view = r.filesystems[0]!;
    expect([...view.walk()].map((n) => `${n.type} ${n.path} ${n.size}`)).toEqual(['dir / 0', 'file /lsb-release 104']);
    const data = await view.read('/lsb-release');
    expect(data.toString()).toContain('DISTRIB_RELEASE=22.04\n');
    expect(data.toString()).toContain('DISTRIB_DESCRIPTION="Ubuntu 22.04.5 LTS"');
    expect(sha256(data)).toBe('6dc8ba4242e0e699e3360b84e38ccecfc4dcedaa4701c8ebee3836decd815654');
  });

  it('fact_extractor cramfs.img: the three test files, owners cut to cramfs widths', async () => {
    const r = await unpack(fact);
    expect(r.summary.errors).toEqual([]);
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
    // uid 1000 fits 16 bits; gid 1000 keeps its low 8 bits (232) in cramfs.
    expect(view.lstat('/generic folder')).toMatchObject({ mode: 0o775, uid: 1000, gid: 232 });
  });
});
