import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { zstdHandler } from '../../../service/unpack/handlers/zstd.js';
import { text } from '../codecs/samples.js';
import { describeStreamHandler, run } from './stream-suite.js';

describeStreamHandler({
  handler: zstdHandler,
  tool: 'zstd',
  compress: (f, level) => run('zstd', ['-q', '-c', level === 'best' ? '-19' : '-1', f]),
  magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
});

describe('zstd handler', () => {
  it('reports the content size when the frames carry it', () => {
    const data = text(123_456);
    const c = run('zstd', ['-q', '-c', `--stream-size=${data.length}`], data);
    expect(zstdHandler.identify(new BufferSource(Buffer.concat([c, Buffer.alloc(10)])), 0)).toMatchObject({ end: c.length, meta: { uncompressedSize: data.length, frames: 1 } });
  });
});
