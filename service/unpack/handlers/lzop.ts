// lzop (89 4C 5A 4F 00 0D 0A 1A 0A): a checksummed header and sized LZO1X blocks ending with a zero size,
// so the chunk's end comes from the block headers; the stored file name names the payload.
import { decodeLzop, measureLzop } from '../codecs/lzo.js';
import { openDecoded } from '../codecs/open-stream.js';
import { magic, type Handler } from '../handler.js';

export const lzopHandler: Handler = {
  name: 'lzop',
  kind: 'stream',
  magics: [magic([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a])],

  identify(src, start) {
    const m = measureLzop(src, start);
    if (!m) return null;
    return {
      start,
      end: m.end,
      meta: { truncated: m.truncated, blocks: m.blocks, ...(m.name ? { name: m.name } : {}), ...(m.truncated ? {} : { uncompressedSize: m.outputSize }) },
    };
  },

  open(src, chunk, ctx) {
    const name = chunk.meta['name'];
    return openDecoded('lzop', decodeLzop, src, chunk, ctx, typeof name === 'string' ? name : undefined);
  },
};
