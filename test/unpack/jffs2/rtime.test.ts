// The rtime decoder against an encoder written here from the same description (a literal, then how many
// bytes repeat from just after that byte value's previous occurrence), plus damaged input. Real rtime
// nodes from mkfs.jffs2 are covered by the fixture tests (test/unpack/handlers/jffs2.test.ts).
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import { decodeRtime } from '../../../service/unpack/jffs2/rtime.js';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';

function encodeRtime(input: Buffer): Buffer {
  const out: number[] = [];
  const last = new Array<number>(256).fill(0);
  let pos = 0;
  while (pos < input.length) {
    const value = input[pos++]!;
    out.push(value);
    let back = last[value]!;
    last[value] = pos;
    let run = 0;
    while (back < pos && pos < input.length && input[pos] === input[back++] && run < 255) {
      pos++;
      run++;
    }
    out.push(run);
  }
  return Buffer.from(out);
}

describe('rtime decoder', () => {
  const samples: Array<[string, Buffer]> = [
    ['text', Buffer.from('abcabcabcabc the quick brown fox jumps over the lazy dog '.repeat(60))],
    ['a long run of one byte (overlapping copies)', Buffer.alloc(4096, 0x41)],
    ['random bytes', pseudoRandom(4096, 9)],
    ['zeros and a tail', Buffer.concat([Buffer.alloc(3000), Buffer.from('tail')])],
    ['a single byte', Buffer.from('x')],
  ];
  for (const [label, data] of samples) {
    it(`round-trips ${label}`, () => {
      expect(decodeRtime(encodeRtime(data), data.length).equals(data)).toBe(true);
    });
  }

  it('rejects input that ends early or a run past the output', () => {
    const enc = encodeRtime(Buffer.from('hello hello hello'));
    expect(() => decodeRtime(enc.subarray(0, 5), 17)).toThrow(FirmwardenError);
    expect(() => decodeRtime(Buffer.from([0x41, 200]), 10)).toThrow(/passes/);
  });
});
