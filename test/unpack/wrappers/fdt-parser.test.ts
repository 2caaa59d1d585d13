// The flattened device tree parser on blobs made by dtc (versions 17 and 16) and on hand-damaged ones:
// every offset is checked, damage stops the walk with a reason, limits hold.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { childNode, findProp, parseFdt, parseFdtHeader, propNumber, propString, propStrings } from '../../../service/unpack/wrappers/fdt-parser.js';
import { run } from '../../fixtures/unpack/wrappers.js';
import { tempDir } from '../helpers.js';

const work = tempDir('fw-fdt-');
const DTS = `/dts-v1/;
/ {
  model = "Parser Board";
  compatible = "fw,a", "fw,b";
  big = <0x1 0x2>;
  soc { serial@1000 { reg = <0x1000 0x100>; status = "okay"; }; gpio@2000 { gpio-controller; }; };
};
`;

function blob(version = 17): Buffer {
  const src = path.join(work, `t${version}.dts`);
  const out = path.join(work, `t${version}.dtb`);
  fs.writeFileSync(src, DTS);
  run('dtc', ['-q', '-V', String(version), '-I', 'dts', '-O', 'dtb', '-o', out, src]);
  return fs.readFileSync(out);
}

describe('fdt parser', () => {
  for (const version of [17, 16]) {
    it(`parses a version ${version} blob from dtc: nodes, paths, properties`, () => {
      const b = blob(version);
      const p = parseFdt(new BufferSource(b), 0)!;
      expect(p.problems).toEqual([]);
      expect(p.header.version).toBe(version);
      expect(p.nodeCount).toBe(4);
      const src = new BufferSource(b);
      expect(propString(src, 0, findProp(p.root, 'model'))).toBe('Parser Board');
      expect(propStrings(src, 0, findProp(p.root, 'compatible'))).toEqual(['fw,a', 'fw,b']);
      expect(propNumber(src, 0, findProp(p.root, 'big'))).toBe(2 ** 32 + 2);
      const serial = childNode(childNode(p.root, 'soc'), 'serial@1000')!;
      expect(serial.path).toBe('/soc/serial@1000');
      expect(propString(src, 0, findProp(serial, 'status'))).toBe('okay');
      expect(findProp(childNode(childNode(p.root, 'soc'), 'gpio@2000'), 'gpio-controller')).toMatchObject({ length: 0 });
    });
  }

  it('rejects headers that cannot be a blob', () => {
    const b = blob();
    const bad = (at: number, v: number): Buffer => {
      const c = Buffer.from(b);
      c.writeUInt32BE(v, at);
      return c;
    };
    expect(parseFdtHeader(b)).not.toBeNull();
    expect(parseFdtHeader(bad(20, 15))).toBeNull(); // version
    expect(parseFdtHeader(bad(24, 18))).toBeNull(); // last compatible version
    expect(parseFdtHeader(bad(4, 20))).toBeNull(); // totalsize
    expect(parseFdtHeader(bad(8, b.length))).toBeNull(); // struct offset
    expect(parseFdtHeader(bad(16, 41))).toBeNull(); // unaligned reserve map
    expect(parseFdtHeader(bad(32, b.length))).toBeNull(); // strings past the end
  });

  it('stops at damage with a reason, keeping what came before', () => {
    const b = blob();
    const h = parseFdtHeader(b)!;
    // An unknown token in place of the first property of the root.
    const token = Buffer.from(b);
    const rootNameEnd = h.offStruct + 8;
    token.writeUInt32BE(0x77, rootNameEnd);
    const t = parseFdt(new BufferSource(token), 0)!;
    expect(t.problems[0]).toMatch(/unknown token 0x77/);
    expect(t.root?.props).toEqual([]);
    // A property name offset outside the strings block.
    const name = Buffer.from(b);
    name.writeUInt32BE(0xffff, rootNameEnd + 8);
    expect(parseFdt(new BufferSource(name), 0)!.problems[0]).toMatch(/outside the strings block/);
    // A value length running past the structure block.
    const len = Buffer.from(b);
    len.writeUInt32BE(0x7fffffff, rootNameEnd + 4);
    expect(parseFdt(new BufferSource(len), 0)!.problems[0]).toMatch(/runs past the structure block/);
    // Cut short: truncated, no complaint about the missing END.
    const cut = parseFdt(new BufferSource(b.subarray(0, b.length - 60)), 0)!;
    expect(cut.truncated).toBe(true);
  });

  it('holds its node, property and depth limits', () => {
    const b = new BufferSource(blob());
    expect(parseFdt(b, 0, { maxDepth: 64, maxNodes: 2, maxProps: 100 })!.problems).toEqual([expect.stringMatching(/more than 2 nodes/)]);
    expect(parseFdt(b, 0, { maxDepth: 64, maxNodes: 100, maxProps: 3 })!.problems).toEqual([expect.stringMatching(/more than 3 properties/)]);
    expect(parseFdt(b, 0, { maxDepth: 1, maxNodes: 100, maxProps: 100 })!.problems).toEqual([expect.stringMatching(/deeper than 1/)]);
  });
});
