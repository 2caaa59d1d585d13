// The bare UBIFS image of fkie-cad/fact_extractor's test data (see shared/corpus/firmware/SOURCES.md):
// 13 LEBs of 128 KiB, 512-byte min I/O, FACT's standard unpack set.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env.FIRMWARDEN_CORPUS ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const image = path.join(corpus, 'firmware', 'fact_extractor', 'ubi', 'test', 'data', 'test.ubifs');
const present = fs.existsSync(image);
if (!present) console.warn(`corpus not found at ${image}: set FIRMWARDEN_CORPUS to run the UBIFS corpus tests`);

describe.skipIf(!present)('corpus: fact_extractor test.ubifs', () => {
  it('lists the three test files and reads their known contents', async () => {
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'ubifs', offset: 0, size: 13 * 128 * 1024 })]);
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
  });
});
