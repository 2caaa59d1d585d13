// Device tree blobs made by dtc (device-tree-compiler). dtc reads a tree of directories and files the way
// Linux shows /proc/device-tree ("-I fs"): a directory per node, a file per property. The handler opens a
// blob to exactly that tree, so the manifest of the directory dtc read is the one the view must show.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { dtbHandler } from '../../../service/unpack/handlers/dtb.js';
import { fitHandler } from '../../../service/unpack/handlers/fit.js';
import { gzipFile, makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { dtc, run } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';
import { files, mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-dtb-');

/** A /proc/device-tree-like directory: nodes with unit addresses, string lists, cells, an empty property. */
function deviceTreeDir(root: string, blob?: Buffer): string {
  const prop = (rel: string, data: string | Buffer): void => {
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  };
  prop('model', 'Firmwarden OT Sensor Board\0');
  prop('compatible', 'firmwarden,sensor-v2\0mediatek,mt7628\0');
  prop('#address-cells', Buffer.from([0, 0, 0, 1]));
  prop('#size-cells', Buffer.from([0, 0, 0, 1]));
  prop('chosen/bootargs', 'console=ttyS0,57600 rootfstype=squashfs\0');
  prop('cpus/cpu@0/compatible', 'mti,mips24KEc\0');
  prop('cpus/cpu@0/reg', Buffer.from([0, 0, 0, 0]));
  prop('palmbus@10000000/serial@c00/compatible', 'ns16550a\0');
  prop('palmbus@10000000/serial@c00/reg', Buffer.from([0, 0, 0x0c, 0, 0, 0, 1, 0]));
  prop('palmbus@10000000/serial@c00/status', 'okay\0');
  prop('memory@0/device_type', 'memory\0');
  prop('memory@0/reg', Buffer.from([0, 0, 0, 0, 0x04, 0, 0, 0]));
  prop('aliases/empty', '');
  if (blob) prop('firmware@0/blob', blob);
  for (const d of walkDirs(root)) fs.chmodSync(d, 0o555);
  for (const f of walkFiles(root)) fs.chmodSync(f, 0o444);
  return root;
}

function walkDirs(root: string): string[] {
  return fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => [path.join(root, e.name), ...walkDirs(path.join(root, e.name))]);
}

function walkFiles(root: string): string[] {
  return fs.readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkFiles(path.join(root, e.name)) : [path.join(root, e.name)]));
}

function blobOf(dir: string, out: string): string {
  run('dtc', ['-q', '-I', 'fs', '-O', 'dtb', '-o', out, dir]);
  return out;
}

describe('dtb handler', () => {
  it('opens a blob to the node/property tree dtc built it from (manifest equality), model and compatible in meta', async () => {
    const dir = deviceTreeDir(path.join(work, 'dt'));
    const blob = blobOf(dir, path.join(work, 'board.dtb'));
    const r = await unpack(blob);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'dtb', offset: 0, size: fs.statSync(blob).size })]);
    expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(dir));
    const opened = await openWith(dtbHandler, fs.readFileSync(blob));
    expect(opened!.chunk.meta).toMatchObject({ model: 'Firmwarden OT Sensor Board', compatible: ['firmwarden,sensor-v2', 'mediatek,mt7628'], version: 17, truncated: false });
    // A blob without /images is not a FIT.
    expect(fitHandler.identify(new BufferSource(fs.readFileSync(blob)), 0)).toBeNull();
  });

  it('carves a container held in a property (a gzipped rootfs tar) and finds a blob appended to other data', async () => {
    const tree = path.join(work, 'tree');
    makeSourceTree(tree);
    const tgz = fs.readFileSync(gzipFile(makeTar(tree, path.join(work, 'fw.tar')), path.join(work, 'fw.tar.gz')));
    const blob = fs.readFileSync(blobOf(deviceTreeDir(path.join(work, 'dt-blob'), tgz), path.join(work, 'blob.dtb')));
    // As CONFIG_ARM_APPENDED_DTB does: kernel bytes, then the blob.
    const image = path.join(work, 'appended.bin');
    fs.writeFileSync(image, Buffer.concat([pseudoRandom(10_000, 3), blob]));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.offset, l.path])).toEqual([
      ['dtb', 10_000, undefined],
      ['gzip', 0, '/firmware@0/blob'],
      ['tar', 0, undefined],
    ]);
    expect(await viewManifest(r.filesystems.find((f) => f.format === 'tar')!)).toEqual(diskManifest(tree));
  });

  it('keeps a property named like a node beside it, and compiles from dts source too', async () => {
    const blob = dtc('/dts-v1/;\n/ { model = "x"; node = "p"; node { a = <1>; }; node@1 { }; };\n', path.join(work, 'src.dtb'));
    const opened = await openWith(dtbHandler, fs.readFileSync(blob));
    const all = await files(opened!.result);
    expect(Object.keys(all)).toEqual(['/model', '/node/a', '/node.property']);
    expect(all['/node.property']!.toString()).toBe('p\0');
    expect(opened!.result.kind === 'tree' && opened!.result.tree.lstat('/node@1')?.type).toBe('dir');
    expect(opened!.problems).toEqual([]);
  });

  it('reports truncation at several cut points, and survives mutations', async () => {
    const data = fs.readFileSync(blobOf(deviceTreeDir(path.join(work, 'dt-cut')), path.join(work, 'cut.dtb')));
    await truncationRun(work, 'dtb', data, [200, Math.floor(data.length / 2), data.length - 3]);
    const cut = await openWith(dtbHandler, data.subarray(0, data.length - 40));
    expect(cut!.chunk.meta['truncated']).toBe(true);
    expect(cut!.problems.map((p) => p.code)).toContain('FW_ERR_UNPACK_TRUNCATED');
    await mutationRun(dtbHandler, data, 300, 64);
  }, 60_000);

  it('rejects noise after the magic, and bounds hostile nesting', async () => {
    for (let seed = 1; seed < 300; seed++) {
      const noise = Buffer.concat([Buffer.from([0xd0, 0x0d, 0xfe, 0xed]), pseudoRandom(400, seed)]);
      expect(dtbHandler.identify(new BufferSource(noise), 0), `seed ${seed}`).toBeNull();
    }
    // 200 nested nodes: the parser stops at its depth limit and says so; the tree above it is kept.
    const deep = 'n { '.repeat(200) + '}; '.repeat(200);
    const blob = dtc(`/dts-v1/;\n/ { model = "deep"; ${deep} };\n`, path.join(work, 'deep.dtb'));
    const r = await unpack(blob);
    expect(errorCodes(r)).toEqual(['FW_ERR_UNPACK_MALFORMED']);
    expect(r.summary.errors[0]!.message).toMatch(/deeper than 64/);
    expect(r.filesystems[0]!.lstat('/model')?.size).toBe(5);
  });
});
