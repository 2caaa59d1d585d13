// What a mounted YAFFS2 leaves on flash, written chunk by chunk: newer headers (rename, chmod, shrink),
// rewritten data chunks, objects moved to the "deleted" and "unlinked" pseudo-directories, a hard link to a
// directory, a chunk whose tags fail their ECC. The newer block is written first on flash: what counts is
// the block sequence number, not the position.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { NAND_2K, NOR_512, OBJ_DELETED, OBJ_ROOT, OBJ_UNLINKED, TYPE, Yaffs2Writer, type Yaffs2Layout } from '../../fixtures/unpack/yaffs2.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-yaffs2-log-');
const PASSWD = Buffer.from('root:x:0:0:root:/root:/bin/sh\n'.repeat(100));
const SHRINK = pseudoRandom(5000, 4);

function buildLog(layout: Yaffs2Layout): Buffer {
  const w = new Yaffs2Writer(layout);
  const file = (id: number, parent: number, name: string, data: Buffer, mode = 0o100644): void => {
    w.header(id, { type: TYPE.file, parent, name, mode, size: data.length });
    w.data(id, data);
  };
  // The newer block (sequence 0x2000), first on flash.
  // (An image is found by an object header in the root directory: the first chunk is one.)
  w.seq = 0x2000;
  w.header(302, { type: TYPE.file, parent: OBJ_ROOT, name: 'a', mode: 0o100600, size: 8 });
  const broken = w.data(302, Buffer.from('BROKEN!!')); // tags corrupted below: must be ignored
  w.data(302, Buffer.from('changed!'));
  w.header(303, { type: TYPE.file, parent: OBJ_DELETED, name: 'deleted', size: 0 });
  w.header(304, { type: TYPE.file, parent: OBJ_UNLINKED, name: 'unlinked', size: 0 });
  w.header(301, { type: TYPE.file, parent: 300, name: 'passwd.new', mode: 0o100644, size: PASSWD.length });
  w.header(307, { type: TYPE.file, parent: OBJ_ROOT, name: 'shrink', mode: 0o100644, size: 100 });
  w.header(309, { type: TYPE.hardlink, parent: OBJ_ROOT, name: 'dir-link', equivId: 308 });
  w.endBlock();
  // The original state (sequence 0x1000), later on flash.
  w.seq = 0x1000;
  w.header(300, { type: TYPE.dir, parent: OBJ_ROOT, name: 'etc', mode: 0o40755 });
  file(301, 300, 'passwd', PASSWD);
  file(302, OBJ_ROOT, 'a', Buffer.from('original contents'));
  file(303, OBJ_ROOT, 'gone', Buffer.from('deleted later'));
  file(304, OBJ_ROOT, 'unl', Buffer.from('unlinked later'));
  w.header(305, { type: TYPE.symlink, parent: OBJ_ROOT, name: 'link', mode: 0o120777, alias: 'a' });
  w.header(306, { type: TYPE.hardlink, parent: OBJ_ROOT, name: 'hl', equivId: 302 });
  file(307, OBJ_ROOT, 'shrink', SHRINK);
  w.header(308, { type: TYPE.dir, parent: OBJ_ROOT, name: 'd2', mode: 0o40700 });
  const image = w.finish();
  // Flip a byte of the broken chunk's object id: its ECC no longer matches (and without ECC, the id is odd).
  const spare = w.offsetOf(broken) + layout.pageSize + layout.tagOffset;
  image[spare + 4] = image[spare + 4]! ^ (layout.ecc ? 0x01 : 0xff);
  image[spare + 7] = layout.ecc ? image[spare + 7]! : 0xff;
  return image;
}

describe('yaffs2 log semantics (hand-written chunks)', () => {
  const layouts: Array<[string, Yaffs2Layout]> = [
    ['2048+64 little-endian with ECC', NAND_2K],
    ['2048+64 big-endian with ECC at offset 2', { ...NAND_2K, le: false, tagOffset: 2 }],
    ['512+16 NOR big-endian', { ...NOR_512, le: false }],
  ];
  for (const [label, layout] of layouts) {
    it(`rebuilds the newest state (${label})`, async () => {
      const file = path.join(work, `${label.replace(/\W+/g, '-')}.yaffs2`);
      fs.writeFileSync(file, buildLog(layout));
      const r = await unpack(file);
      const view = r.filesystems[0]!;
      expect([...view.walk()].map((n) => n.path)).toEqual(['/', '/a', '/d2', '/etc', '/etc/passwd.new', '/hl', '/link', '/shrink']);
      expect(view.lstat('/a')).toMatchObject({ mode: 0o600, size: 8 });
      expect((await view.read('/a')).toString()).toBe('changed!');
      expect(view.lstat('/hl')?.hardLinkOf).toBe('/a');
      expect((await view.read('/hl')).toString()).toBe('changed!');
      expect((await view.read('/etc/passwd.new')).equals(PASSWD)).toBe(true);
      expect((await view.read('/shrink')).equals(SHRINK.subarray(0, 100))).toBe(true);
      expect(view.lstat('/link')).toMatchObject({ type: 'symlink', linkTarget: 'a' });
      expect(view.lstat('/d2')).toMatchObject({ type: 'dir', mode: 0o700 });
      const messages = r.summary.errors.map((e) => e.message);
      expect(messages.some((m) => /hard link to object 308, a directory/.test(m))).toBe(true);
      expect(messages.some((m) => /invalid tags/.test(m))).toBe(true);
      expect(errorCodes(r).every((c) => c === 'FW_ERR_UNPACK_MALFORMED')).toBe(true);
    });
  }
});

describe('yaffs2 orphans', () => {
  it('puts an object whose directory has no header in /lost+found, as the kernel does', async () => {
    const w = new Yaffs2Writer(NAND_2K);
    w.header(300, { type: TYPE.file, parent: OBJ_ROOT, name: 'kept', size: 1 });
    w.data(300, Buffer.from('k'));
    w.header(301, { type: TYPE.file, parent: 999, name: 'orphan', size: 2 });
    w.data(301, Buffer.from('or'));
    const file = path.join(work, 'orphan.yaffs2');
    fs.writeFileSync(file, w.finish());
    const r = await unpack(file);
    const view = r.filesystems[0]!;
    expect([...view.walk()].map((n) => n.path)).toEqual(['/', '/kept', '/lost+found', '/lost+found/orphan']);
    expect((await view.read('/lost+found/orphan')).toString()).toBe('or');
    expect(r.summary.errors.some((e) => /lost\+found/.test(e.message))).toBe(true);
  });
});
