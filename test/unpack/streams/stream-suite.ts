// The tests every compressed-stream handler must pass, through the real unpack engine: a rootfs tar wrapped
// by the real tool is extracted exactly; the chunk ends on the stream's last byte inside a larger image;
// a cut stream is reported truncated and what it held is still carved; noise behind the magic is refused;
// a bomb stops at the engine's limit with FW_ERR_UNPACK_LIMIT.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import type { Handler } from '../../../service/unpack/handler.js';
import { makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { requireTool } from '../codecs/samples.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

export interface StreamCase {
  handler: Handler;
  /** Command-line tool the case needs. */
  tool: string;
  /** Compresses `input` (a file) with the real tool; returns the compressed bytes. */
  compress(input: string, level?: 'fast' | 'best'): Buffer;
  /** The magic a noise test starts with. */
  magic: Buffer;
  /** Whether noise behind the magic could legitimately decode (then only "no crash" is checked). */
  noiseMayDecode?: boolean;
}

export function run(cmd: string, args: string[], input?: Buffer): Buffer {
  return execFileSync(cmd, args, { maxBuffer: 1 << 30, ...(input ? { input } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
}

export function describeStreamHandler(c: StreamCase): void {
  const name = c.handler.name;
  describe(`${name} handler (common stream tests)`, () => {
    const work = tempDir(`fw-${name}-`);
    const tree = path.join(work, 'tree');
    let tar = '';

    beforeAll(() => {
      requireTool(c.tool);
      makeSourceTree(tree);
      tar = makeTar(tree, path.join(work, 'rootfs.tar'));
    });

    it('opens a rootfs tar compressed by the real tool: the tree inside is extracted exactly', async () => {
      for (const level of ['fast', 'best'] as const) {
        const image = path.join(work, `rootfs-${level}.${name}`);
        fs.writeFileSync(image, c.compress(tar, level));
        const r = await unpack(image);
        expect(r.summary.errors, level).toEqual([]);
        expect(r.summary.chain.map((l) => [l.format, l.depth])).toEqual([[name, 1], ['tar', 2]]);
        expect(r.summary.chain[0]).toMatchObject({ offset: 0, size: fs.statSync(image).size, children: 1 });
        expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(tree));
      }
    });

    it('sizes the chunk exactly inside a larger image, and the bytes after it are carved too', async () => {
      const payload = path.join(work, 'payload.bin');
      fs.writeFileSync(payload, Buffer.concat([Buffer.from('firmware payload\n'.repeat(2000)), pseudoRandom(30_000, 3)]));
      const comp = c.compress(payload);
      const head = pseudoRandom(1001, 9);
      const gz = run('gzip', ['-c'], Buffer.from('after the stream\n'.repeat(100)));
      const image = Buffer.concat([head, comp, Buffer.alloc(3, 0xff), gz]);
      const chunk = c.handler.identify(new BufferSource(image), head.length);
      expect(chunk).toMatchObject({ start: head.length, end: head.length + comp.length, meta: { truncated: false } });
      const file = path.join(work, 'image.bin');
      fs.writeFileSync(file, image);
      const r = await unpack(file);
      expect(r.summary.chain.filter((l) => l.depth === 1).map((l) => [l.format, l.offset, l.size])).toEqual([
        [name, head.length, comp.length],
        ['gzip', head.length + comp.length + 3, gz.length],
      ]);
    });

    it('reports a cut stream as truncated and still carves what it held', async () => {
      const comp = c.compress(tar);
      const cut = path.join(work, `cut.${name}`);
      fs.writeFileSync(cut, comp.subarray(0, Math.floor(comp.length * 0.7)));
      const r = await unpack(cut);
      expect(errorCodes(r)).toContain('FW_ERR_UNPACK_TRUNCATED');
      expect(r.summary.chain[0]).toMatchObject({ format: name, offset: 0 });
      expect(r.summary.chain.map((l) => l.format)).toContain('tar');
      expect(r.filesystems[0]!.fileCount).toBeGreaterThan(0);
    });

    it('refuses noise that merely starts with its magic', () => {
      for (let seed = 1; seed < 300; seed++) {
        const noise = Buffer.concat([c.magic, pseudoRandom(4096, seed)]);
        const chunk = c.handler.identify(new BufferSource(noise), 0);
        if (!c.noiseMayDecode) expect(chunk, `seed ${seed}`).toBeNull();
      }
    });

    it('stops a bomb at the engine limit with FW_ERR_UNPACK_LIMIT', async () => {
      const zeros = path.join(work, 'zeros.bin');
      fs.writeFileSync(zeros, Buffer.alloc(64 << 20));
      const bomb = path.join(work, `bomb.${name}`);
      fs.writeFileSync(bomb, c.compress(zeros, 'fast'));
      const r = await unpack(bomb, { maxPayloadInMemory: 8 << 20 });
      expect(errorCodes(r)).toContain('FW_ERR_UNPACK_LIMIT');
      expect(r.summary.chain[0]).toMatchObject({ format: name, offset: 0, size: fs.statSync(bomb).size });
    });
  });
}
