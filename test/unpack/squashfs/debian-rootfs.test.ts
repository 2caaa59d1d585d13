// A root filesystem of real Debian mipsel packages (test/fixtures/debian-rootfs.ts: BusyBox applet farm, hard
// link, FIFO, device nodes and owners past 16 bits when built as root) squashed by mksquashfs with xz, the
// way OpenWrt-style builds ship it, and compared entry by entry. Skipped with the reason when the packages
// cannot be fetched.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDebianRootfs } from '../../fixtures/debian-rootfs.js';
import { hasMksquashfs, makeSquashfs } from '../../fixtures/unpack/squashfs.js';
import { diskManifest, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-squashfs-deb-');

describe.skipIf(!hasMksquashfs())('squashfs of a Debian package rootfs', () => {
  it('extracts the rootfs exactly, with devices, FIFO, hard link and wide owners', { timeout: 600_000 }, async (ctx) => {
    const built = buildDebianRootfs();
    if (!built.ok) {
      console.warn(`Debian rootfs squashfs test skipped: ${built.reason}`);
      ctx.skip();
      return;
    }
    const { rootfs } = built;
    const image = makeSquashfs(rootfs.root, path.join(work, 'rootfs.sqfs'), { comp: 'xz', blockSize: 262144 });
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems.find((f) => f.format === 'squashfs')!;
    expect(await viewManifest(view)).toEqual(diskManifest(rootfs.root));
    expect(view.lstat('/bin/busybox.nosuid')?.hardLinkOf ?? view.lstat('/bin/busybox')?.hardLinkOf).toBeDefined();
    expect(view.lstat('/var/run/initctl')?.type).toBe('fifo');
    expect((await view.read('/bin/busybox')).includes('BusyBox v')).toBe(true);
    if (rootfs.hasDeviceNodes) {
      expect(view.lstat('/dev/ttyS0')).toMatchObject({ type: 'chardev', rdev: { major: 4, minor: 64 } });
      expect(view.lstat('/dev/mtdblock0')).toMatchObject({ type: 'blockdev', rdev: { major: 31, minor: 0 } });
      expect(view.lstat('/opt/vendor/large-ids.conf')).toMatchObject({ uid: 70000, gid: 300 });
      expect(view.lstat('/etc/shadow')).toMatchObject({ uid: 0, gid: 42, mode: 0o640 });
    }
  });
});
