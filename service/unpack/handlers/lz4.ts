// LZ4: the frame format (04 22 4D 18), sized from its block headers, and the legacy format (02 21 4C 18)
// that Linux kernel images use, whose last block is the first one shorter than 8 MiB (codecs/lz4.ts).
import { decodeLz4, measureLz4 } from '../codecs/lz4.js';
import { openDecoded } from '../codecs/open-stream.js';
import { magic, type Handler } from '../handler.js';

export const lz4Handler: Handler = {
  name: 'lz4',
  kind: 'stream',
  magics: [magic([0x04, 0x22, 0x4d, 0x18]), magic([0x02, 0x21, 0x4c, 0x18])],

  identify(src, start) {
    const m = measureLz4(src, start);
    if (!m) return null;
    return {
      start,
      end: m.end,
      meta: { truncated: m.truncated, format: m.format, frames: m.frames, ...(m.outputSize !== undefined && !m.truncated ? { uncompressedSize: m.outputSize } : {}) },
    };
  },

  open(src, chunk, ctx) {
    return openDecoded('lz4', decodeLz4, src, chunk, ctx);
  },
};
