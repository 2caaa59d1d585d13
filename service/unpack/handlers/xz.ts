// .xz (FD 37 7A 58 5A 00): one or more streams. The chunk is sized from the stream, block and LZMA2 chunk
// headers plus the index and footer (codecs/xz.ts measureXz), so identify() never decompresses.
import { decodeXz, measureXz } from '../codecs/xz.js';
import { openDecoded } from '../codecs/open-stream.js';
import { magic, type Handler } from '../handler.js';

export const xzHandler: Handler = {
  name: 'xz',
  kind: 'stream',
  magics: [magic([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],

  identify(src, start) {
    const m = measureXz(src, start);
    if (!m) return null;
    return {
      start,
      end: m.end,
      meta: { truncated: m.truncated, streams: m.streams, blocks: m.blocks, check: m.check, ...(m.truncated ? {} : { uncompressedSize: m.outputSize }) },
    };
  },

  open(src, chunk, ctx) {
    return openDecoded('xz', decodeXz, src, chunk, ctx);
  },
};
