// Hostile and damaged UBIFS images: cut short, a broken index root or master (recovered by the node scan),
// index cycles, and random mutations, some with their node CRC fixed so the parsers, not only the CRC
// check, see the damage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import { ubifsHandler } from '../../../service/unpack/handlers/ubifs.js';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { findMaster, NodeReader } from '../../../service/unpack/ubifs/ubifs-index.js';
import { nodeCrc, parseIndex, parseSuperblock, readCommonHeader } from '../../../service/unpack/ubifs/ubifs-nodes.js';
import { DEFAULT_UNPACK_LIMITS, unpackImage, type UnpackResult } from '../../../service/unpack/unpack-image.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { hasTool, makeUbifs } from '../../fixtures/unpack/ubi.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

/** Mutation loops run our handlers alone: the point is their robustness, and the other formats' scans cost time. */
const OURS = [ubifsHandler];
async function unpackOurs(image: string): Promise<UnpackResult> {
  const r = await unpackImage({ imagePath: image, limits: DEFAULT_UNPACK_LIMITS, handlers: OURS });
  r.close(); // the views reopen the image on demand
  return r;
}
const work = tempDir('fw-ubifs-damage-');

async function readAll(r: UnpackResult): Promise<void> {
  for (const view of r.filesystems) {
    for (const n of view.walk()) {
      if (n.type !== 'file') continue;
      try {
        await view.read(n.path);
      } catch (err) {
        expect(err).toBeInstanceOf(FirmwardenError);
      }
    }
  }
}

function reader(img: Buffer): NodeReader {
  const sb = parseSuperblock(img.subarray(0, 4096))!;
  return new NodeReader(new BufferSource(img), sb);
}

/** Absolute offset of the index root the newest master names, and the LEB size. */
function indexRoot(img: Buffer): { at: number; len: number; lebSize: number } {
  const rd = reader(img);
  const m = findMaster(rd)!;
  return { at: m.rootLnum * rd.sb.lebSize + m.rootOffs, len: m.rootLen, lebSize: rd.sb.lebSize };
}

/** Every well-formed node of the image: absolute offset, length, type. */
function nodes(img: Buffer): Array<{ at: number; len: number; type: number }> {
  const rd = reader(img);
  const out: Array<{ at: number; len: number; type: number }> = [];
  for (let lnum = 0; lnum < Math.floor(img.length / rd.sb.lebSize); lnum++) {
    for (const n of rd.nodesOf(lnum)) out.push({ at: lnum * rd.sb.lebSize + n.offs, len: n.node.length, type: n.type });
  }
  return out;
}

function fixCrc(img: Buffer, at: number): void {
  const len = readCommonHeader(img, at)!.len;
  img.writeUInt32LE(nodeCrc(img.subarray(at + 8, at + len)), at + 4);
}

describe.skipIf(!hasTool('mkfs.ubifs'))('ubifs damage', () => {
  const src = path.join(work, 'tree');
  makeSourceTree(src);
  const base = fs.readFileSync(makeUbifs(src, path.join(work, 'base.ubifs'), { compression: 'lzo' }));
  const write = (name: string, data: Buffer): string => {
    const p = path.join(work, name);
    fs.writeFileSync(p, data);
    return p;
  };

  it('reports a cut-short image at several cut points', async () => {
    const lebSize = indexRoot(base).lebSize;
    for (const cut of [5000, lebSize + 100, 3 * lebSize, Math.floor(base.length / 2), base.length - 1000]) {
      const r = await unpack(write(`cut-${cut}.ubifs`, base.subarray(0, cut)));
      expect(errorCodes(r), `cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
      expect(r.summary.chain[0]).toMatchObject({ format: 'ubifs', size: cut });
      await readAll(r);
    }
  });

  it('recovers every file by scanning when the index root is damaged', async () => {
    const img = Buffer.from(base);
    const root = indexRoot(img);
    img.writeUInt8(img.readUInt8(root.at + root.len - 1) ^ 0xff, root.at + root.len - 1);
    const r = await unpack(write('bad-root.ubifs', img));
    expect(r.summary.errors.map((e) => e.message).join('\n')).toMatch(/index root is damaged; files were recovered by scanning/);
    expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(src));
  });

  it('fills the gaps of a damaged index subtree from a node scan', async () => {
    const img = Buffer.from(base);
    const root = indexRoot(img);
    const idx = parseIndex(img.subarray(root.at, root.at + root.len))!;
    const child = idx.branches[0]!;
    const at = child.lnum * root.lebSize + child.offs;
    img.writeUInt8(img.readUInt8(at + child.len - 1) ^ 0xff, at + child.len - 1);
    const r = await unpack(write('bad-subtree.ubifs', img));
    const messages = r.summary.errors.map((e) => e.message).join('\n');
    expect(messages).toMatch(/damaged \(bad magic or CRC\)/);
    expect(messages).toMatch(/recovered by scanning/);
    expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(src));
  });

  it('recovers every file by scanning when both master LEBs are erased', async () => {
    const img = Buffer.from(base);
    const lebSize = indexRoot(img).lebSize;
    img.fill(0xff, lebSize, 3 * lebSize);
    const r = await unpack(write('no-master.ubifs', img));
    expect(r.summary.errors.map((e) => e.message).join('\n')).toMatch(/no valid master node/);
    expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(src));
  });

  it('walks an index whose nodes reference each other twice (cycles) once, and ends', async () => {
    const img = Buffer.from(base);
    const root = indexRoot(img);
    const idx = parseIndex(img.subarray(root.at, root.at + root.len))!;
    expect(idx.level).toBeGreaterThan(0);
    expect(idx.branches.length).toBeGreaterThan(1);
    // Branch 1 := branch 0 (a shared child); the last branch := the root itself (a cycle).
    const size = (root.len - 28) / idx.branches.length;
    img.copy(img, root.at + 28 + size, root.at + 28, root.at + 28 + 12);
    const rootLnum = Math.floor(root.at / root.lebSize);
    const last = root.at + 28 + size * (idx.branches.length - 1);
    img.writeUInt32LE(rootLnum, last);
    img.writeUInt32LE(root.at % root.lebSize, last + 4);
    img.writeUInt32LE(root.len, last + 8);
    fixCrc(img, root.at);
    const started = Date.now();
    const r = await unpack(write('cycle.ubifs', img));
    await readAll(r);
    expect(Date.now() - started).toBeLessThan(10_000);
    const messages = r.summary.errors.map((e) => e.message).join('\n');
    expect(messages).toMatch(/referenced twice|wrong level/);
    expect(r.filesystems[0]!.fileCount).toBeGreaterThan(0);
  });

  it('survives random mutations (half with node CRCs fixed) without throwing or hanging', async () => {
    const all = nodes(base).filter((n) => n.type !== 6);
    let slowest = 0;
    for (let i = 0; i < 200; i++) {
      const img = Buffer.from(base);
      const rnd = pseudoRandom(64, 1000 + i);
      const node = all[rnd.readUInt32LE(0) % all.length]!;
      const count = 1 + (rnd[4]! % 8);
      for (let k = 0; k < count; k++) {
        // Past the common header's magic, inside the node: lengths, keys, levels, branch targets, names.
        const pos = node.at + 8 + (rnd.readUInt16LE(8 + 2 * k) % Math.max(1, node.len - 8));
        img[pos] = rnd[30 + k]!;
      }
      if (i % 2 === 0 && readCommonHeader(img, node.at) && readCommonHeader(img, node.at)!.len <= node.len + 4096) {
        if (node.at + readCommonHeader(img, node.at)!.len <= img.length) fixCrc(img, node.at);
      }
      const started = Date.now();
      const r = await unpackOurs(write('mutant.ubifs', img));
      await readAll(r);
      slowest = Math.max(slowest, Date.now() - started);
    }
    // Generous for a loaded CI box: a hang would never end, and the typical image takes well under a second.
    expect(slowest).toBeLessThan(10_000);
  }, 180_000);
});
