import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { bzip2Handler } from '../../../service/unpack/handlers/bzip2.js';
import { mixed, text } from '../codecs/samples.js';
import { describeStreamHandler, run } from './stream-suite.js';

describeStreamHandler({
  handler: bzip2Handler,
  tool: 'bzip2',
  compress: (f, level) => run('bzip2', ['-c', level === 'best' ? '-9' : '-1', f]),
  magic: Buffer.from('BZh91AY&SY', 'latin1'),
});

describe('bzip2 handler', () => {
  it('takes concatenated streams as one chunk, block counts included', () => {
    const a = run('bzip2', ['-c', '-1'], mixed(250_000));
    const b = run('bzip2', ['-c', '-9'], text(10_000));
    const image = Buffer.concat([a, b, Buffer.from('BZh')]);
    expect(bzip2Handler.identify(new BufferSource(image), 0)).toEqual({ start: 0, end: a.length + b.length, meta: { truncated: false, streams: 2, blocks: 4, level: 1 } });
  });
});
