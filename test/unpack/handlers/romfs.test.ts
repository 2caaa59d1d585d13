// romfs images made by genromfs from the shared source tree, read back through the whole unpacker and
// compared entry by entry. romfs is big-endian by definition (no variant to test) and keeps no permission
// bits, owners or times: only an "executable" flag, from which the kernel (and we) derive 0755 or 0644 for
// files and directories; so the manifest's modes are adjusted that way, and only that. Damage cases live in
// test/unpack/romfs/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDeviceSpecs, hasGenromfs, makeRomfs } from '../../fixtures/unpack/romfs.js';
import { diskManifest, makeSourceTree, viewManifest, type ManifestRow } from '../../fixtures/unpack/source-tree.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-romfs-');
const available = hasGenromfs();
if (!available) console.warn('genromfs not found (Debian genromfs): romfs fixture tests skipped');
const src = path.join(work, 'tree');
if (available) makeSourceTree(src);

/** What romfs can say about a mode: executable (0755) or not (0644); symlinks are 0777 anyway. */
function romfsManifest(dir: string): ManifestRow[] {
  return diskManifest(dir).map((row) => (row.type === 'symlink' ? row : { ...row, mode: row.mode & 0o111 ? 0o755 : 0o644 }));
}

describe.skipIf(!available)('romfs handler (genromfs fixtures)', () => {
  for (const align of [undefined, 512, 4096]) {
    it(`extracts an image${align ? ` with file data aligned to ${align} bytes` : ''} exactly`, async () => {
      const image = makeRomfs(src, path.join(work, `tree-${align ?? 16}.romfs`), align ? { align } : {});
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('romfs');
      expect(await viewManifest(view)).toEqual(romfsManifest(src));
      // genromfs keeps hard links as romfs hard-link headers.
      expect(['/bin/ls', '/bin/busybox'].map((p) => view.lstat(p)?.hardLinkOf).filter(Boolean)).toHaveLength(1);
      // genromfs pads the image to 1 KiB with zeros past the size it declares: still the image.
      expect(r.summary.chain[0]).toMatchObject({ format: 'romfs', offset: 0, size: fs.statSync(image).size });
      expect(r.summary.unknownRegions).toEqual([]);
    });
  }

  it('records device nodes and fifos (genromfs "@name,type,major,minor" files)', async () => {
    const tree = path.join(work, 'tree-dev');
    makeSourceTree(tree);
    const devices = addDeviceSpecs(tree);
    const r = await unpack(makeRomfs(tree, path.join(work, 'dev.romfs')));
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    for (const d of devices) {
      expect(view.lstat(d.path), d.path).toMatchObject({ type: d.type, ...(d.major !== undefined ? { rdev: { major: d.major, minor: d.minor }, mode: 0o600 } : {}) });
    }
    const rows = (await viewManifest(view)).filter((row) => !row.path.startsWith('/dev'));
    expect(rows).toEqual(romfsManifest(tree).filter((row) => !row.path.startsWith('/dev')));
  });

  it('finds a romfs inside a larger image, and its files are zero-copy', async () => {
    const body = fs.readFileSync(makeRomfs(src, path.join(work, 'inner.romfs')));
    const image = path.join(work, 'outer.bin');
    fs.writeFileSync(image, Buffer.concat([Buffer.alloc(3000, 0xee), body, Buffer.alloc(777, 0x11)]));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'romfs', offset: 3000, size: body.length });
    const busybox = fs.readFileSync(path.join(src, 'bin/busybox'));
    expect((await r.filesystems[0]!.read('/bin/busybox')).equals(busybox)).toBe(true);
  });
});
