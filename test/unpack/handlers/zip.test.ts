import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeZip } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir();

describe('zip handler', () => {
  for (const stored of [false, true]) {
    it(`extracts a ${stored ? 'stored' : 'deflated'} zip made by Info-ZIP exactly`, async () => {
      const src = path.join(work, `tree-${stored}`);
      makeSourceTree(src);
      const image = makeZip(src, path.join(work, `${stored ? 'stored' : 'deflate'}.zip`), { stored });
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      expect(r.filesystems[0]!.format).toBe('zip');
      // zip has no hard links: both names are plain files with the same contents, as on disk.
      expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(src));
      expect(r.summary.chain[0]).toMatchObject({ format: 'zip', offset: 0, size: fs.statSync(image).size });
    });
  }

  it('reads zip64 records (zip -fz) and streamed zips with data descriptors (zip to a pipe)', async () => {
    const src = path.join(work, 'tree-64');
    makeSourceTree(src);
    const z64 = path.join(work, 'z64.zip');
    execFileSync('zip', ['-q', '-r', '-y', '-fz', z64, '.'], { cwd: src });
    const streamed = path.join(work, 'streamed.zip');
    execFileSync('sh', ['-c', `zip -q -r -y - . | cat > ${streamed}`], { cwd: src });
    for (const image of [z64, streamed]) {
      const r = await unpack(image);
      expect(r.summary.errors, image).toEqual([]);
      expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(src));
    }
    // Without its central directory, a streamed zip's entry sizes come from walking the deflate data.
    const full = fs.readFileSync(streamed);
    const cut = path.join(work, 'streamed-cut.zip');
    fs.writeFileSync(cut, full.subarray(0, full.indexOf(Buffer.from('PK\x01\x02', 'latin1'))));
    const r = await unpack(cut);
    expect(errorCodes(r)).toEqual(['FW_ERR_UNPACK_TRUNCATED']);
    expect((await r.filesystems[0]!.read('/bin/busybox')).length).toBe(200_000);
  });

  it('lists an encrypted entry and reports it instead of guessing', async () => {
    const src = path.join(work, 'secret');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'config.xml'), '<config/>\n'.repeat(50));
    const image = path.join(work, 'encrypted.zip');
    // -P: traditional PKWARE encryption, what vendor update packages use.
    fs.rmSync(image, { force: true });
    makeZipEncrypted(src, image);
    const r = await unpack(image);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_UNSUPPORTED');
    const view = r.filesystems[0]!;
    expect(view.lstat('/config.xml')?.type).toBe('file');
    await expect(view.read('/config.xml')).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_UNSUPPORTED' });
  });

  it('falls back to the local headers when the central directory is cut off', async () => {
    const src = path.join(work, 'tree-cut');
    makeSourceTree(src);
    const full = fs.readFileSync(makeZip(src, path.join(work, 'full.zip')));
    const cut = path.join(work, 'cut.zip');
    fs.writeFileSync(cut, full.subarray(0, full.length - 200));
    const r = await unpack(cut);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_TRUNCATED');
    expect(r.filesystems[0]!.fileCount).toBeGreaterThan(5);
    expect((await r.filesystems[0]!.read('/etc/passwd')).toString()).toMatch(/^root:/);
  });
});

function makeZipEncrypted(srcDir: string, out: string): void {
  execFileSync('zip', ['-q', '-r', '-P', 'secret', out, '.'], { cwd: srcDir });
}
