import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lzopHandler } from '../../../service/unpack/handlers/lzop.js';
import { elf } from '../codecs/samples.js';
import { tempDir, unpack } from '../helpers.js';
import { describeStreamHandler, run } from './stream-suite.js';

describeStreamHandler({
  handler: lzopHandler,
  tool: 'lzop',
  compress: (f, level) => run('lzop', ['-c', level === 'best' ? '-9' : '-1', f]),
  magic: Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]),
});

describe('lzop handler', () => {
  const work = tempDir('fw-lzop-h-');

  it('names the payload after the file name stored in the header', async () => {
    const file = path.join(work, 'kernel.bin');
    fs.writeFileSync(file, elf());
    run('lzop', ['-f', '-o', `${file}.lzo`, file]);
    const r = await unpack(`${file}.lzo`);
    expect(r.summary.errors).toEqual([]);
    const payloads = r.filesystems.find((v) => v.format === 'payloads');
    const node = [...(payloads?.walk() ?? [])].find((n) => n.type === 'file');
    expect(node?.path).toMatch(/lzop@0x0\/kernel\.bin$/);
    expect((await payloads!.read(node!.path)).equals(elf())).toBe(true);
  });
});
