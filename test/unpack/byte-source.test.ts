import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource, ChunkListSource, FileSource, type ByteSource } from '../../service/unpack/byte-source.js';
import { tempDir } from './helpers.js';

const work = tempDir();
const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

function sources(): Array<[string, ByteSource]> {
  const file = path.join(work, 'hundred.bin');
  fs.writeFileSync(file, bytes);
  return [
    ['buffer', new BufferSource(bytes)],
    ['file', new FileSource(file)],
    ['chunk list', new ChunkListSource([bytes.subarray(0, 7), bytes.subarray(7, 7), bytes.subarray(7, 60), bytes.subarray(60)])],
  ];
}

describe('byte sources', () => {
  for (const [name, src] of sources()) {
    it(`${name}: reads, clips past the end, and makes subranges`, () => {
      expect(src.size).toBe(100);
      expect([...src.read(5, 3)]).toEqual([5, 6, 7]);
      expect([...src.read(55, 10)]).toEqual([55, 56, 57, 58, 59, 60, 61, 62, 63, 64]);
      expect([...src.read(98, 10)]).toEqual([98, 99]);
      expect(src.read(100, 10).length).toBe(0);
      expect(src.read(1000, 10).length).toBe(0);
      expect(src.read(-5, 7).length).toBeLessThanOrEqual(7);
      const sub = src.subrange(10, 20);
      expect(sub.size).toBe(10);
      expect([...sub.read(8, 5)]).toEqual([18, 19]);
      expect([...sub.subrange(2, 4).read(0, 100)]).toEqual([12, 13]);
      expect(src.subrange(90, 500).size).toBe(10);
    });
  }

  it('file source keeps working after close() (views outlive the unpacker)', () => {
    const file = path.join(work, 'reopen.bin');
    fs.writeFileSync(file, bytes);
    const src = new FileSource(file);
    src.close();
    expect([...src.subrange(50, 52).read(0, 2)]).toEqual([50, 51]);
    src.close();
  });
});
