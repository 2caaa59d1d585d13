// Decompression bombs made by the real tools (a gigabyte of zeros in a few KB): decoding must stop at
// maxOutput with `limited`, quickly, and without the heap following the bomb.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DecodeOptions, DecodeResult } from '../../../service/unpack/codecs/codec.js';
import { decodeBzip2 } from '../../../service/unpack/codecs/bzip2.js';
import { decodeLz4 } from '../../../service/unpack/codecs/lz4.js';
import { decodeLzmaAlone } from '../../../service/unpack/codecs/lzma.js';
import { decodeLzop } from '../../../service/unpack/codecs/lzo.js';
import { decodeXz } from '../../../service/unpack/codecs/xz.js';
import { decodeZstd } from '../../../service/unpack/codecs/zstd.js';
import { tempDir } from '../helpers.js';
import { requireTool } from './samples.js';

const work = tempDir('fw-bombs-');
const CAP = 64 << 20;

interface Bomb {
  name: string;
  /** Shell pipeline reading zeros on stdin. */
  compressor: string;
  size: string;
  decode: (input: Buffer, opts: DecodeOptions) => DecodeResult;
  /** LZMA has no sizes to walk: cut short, it cannot say where the stream would have ended. */
  endUnknownWhenLimited?: boolean;
}

const BOMBS: Bomb[] = [
  { name: 'xz', compressor: 'xz -0 -T1 -c', size: '1G', decode: decodeXz },
  { name: 'lzma', compressor: 'xz --format=lzma -0 -c', size: '1G', decode: decodeLzmaAlone, endUnknownWhenLimited: true },
  { name: 'bzip2', compressor: 'bzip2 -1 -c', size: '256M', decode: decodeBzip2 },
  { name: 'zstd', compressor: 'zstd -q -1 -c', size: '1G', decode: decodeZstd },
  { name: 'lz4', compressor: 'lz4 -q -c', size: '256M', decode: decodeLz4 },
  { name: 'lz4-legacy', compressor: 'lz4 -q -l -c', size: '256M', decode: decodeLz4 },
  { name: 'lzop', compressor: 'lzop -c', size: '256M', decode: decodeLzop },
];

function file(b: Bomb): string {
  return path.join(work, `${b.name}.bomb`);
}

function make(b: Bomb): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `head -c ${b.size} /dev/zero | ${b.compressor} > "${file(b)}"`], { stdio: 'ignore' });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${b.compressor} failed with ${code}`))));
  });
}

describe('decompression bombs', () => {
  beforeAll(async () => {
    for (const t of ['xz', 'bzip2', 'zstd', 'lz4', 'lzop']) requireTool(t);
    // Two at a time: the compressors are single-threaded and the CI box has two cores.
    for (let i = 0; i < BOMBS.length; i += 2) await Promise.all(BOMBS.slice(i, i + 2).map(make));
  }, 600_000);

  for (const b of BOMBS) {
    it(`${b.name}: ${b.size} of zeros stops at maxOutput, marked limited`, () => {
      const input = fs.readFileSync(file(b));
      const r = b.decode(input, { maxOutput: CAP });
      expect(r.limited).toBe(true);
      expect(r.truncated).toBe(false);
      expect(r.data.length).toBe(CAP);
      expect(r.data.subarray(CAP - 4096).equals(Buffer.alloc(4096))).toBe(true);
      // The end is still exact, so whatever follows the bomb in an image is carved.
      if (b.endUnknownWhenLimited) expect(r.consumed).toBeLessThan(input.length);
      else expect(r.consumed).toBe(input.length);
    });

    it(`${b.name}: streaming to a consumer that stops keeps memory bounded`, () => {
      const input = fs.readFileSync(file(b));
      const rssBefore = process.memoryUsage().rss;
      let seen = 0;
      let peak = 0;
      const r = b.decode(input, {
        maxOutput: Number.MAX_SAFE_INTEGER,
        onOutput: (p) => {
          seen += p.length;
          peak = Math.max(peak, process.memoryUsage().rss - rssBefore);
          return seen < 4 * CAP;
        },
      });
      expect(r.limited).toBe(true);
      expect(seen).toBeGreaterThanOrEqual(4 * CAP);
      expect(seen).toBeLessThan(4 * CAP + (9 << 20));
      // 256 MiB went through; what stays resident is a window and a piece or two, not the output.
      expect(peak).toBeLessThan(160 << 20);
    });
  }
});
