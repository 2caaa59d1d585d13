// binwalk v3's tests/inputs/romfs.bin from the shared corpus (see shared/corpus/firmware/SOURCES.md): a
// small synthetic romfs holding one file, zero-padded to 1 KiB.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env.FIRMWARDEN_CORPUS ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const image = path.join(corpus, 'firmware', 'binwalk', 'v3-tests-inputs', 'romfs.bin');
const present = fs.existsSync(image);
if (!present) console.warn(`corpus not found at ${image}: set FIRMWARDEN_CORPUS to run the romfs corpus tests`);

describe.skipIf(!present)('corpus: binwalk romfs.bin', () => {
  it('lists its one file and reads it, the zero padding included in the chunk', async () => {
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    // The volume declares 240 bytes; the rest of the 1 KiB file is genromfs's zero fill.
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'romfs', offset: 0, size: 1024 })]);
    expect(r.summary.unknownRegions).toEqual([]);
    const view = r.filesystems[0]!;
    expect([...view.walk()].map((n) => `${n.type} ${n.path} ${n.size} ${n.mode.toString(8)}`)).toEqual(['dir / 0 755', 'file /lsb-release 104 644']);
    const text = (await view.read('/lsb-release')).toString();
    expect(text.split('\n')[0]).toBe('DISTRIB_ID=Ubuntu');
    expect(text).toContain('DISTRIB_CODENAME=jammy\n');
  });
});
