// bzip2 ("BZh1".."BZh9" + block magic 0x314159265359, or the end magic of an empty stream). Block lengths
// are not stored, so identify() walks each block's Huffman symbols (no inverse BWT) to find the exact end;
// concatenated streams (pbzip2) make one chunk.
import { decodeBzip2, isBzip2Start, measureBzip2 } from '../codecs/bzip2.js';
import { openDecoded } from '../codecs/open-stream.js';
import { magic, type Handler } from '../handler.js';

export const bzip2Handler: Handler = {
  name: 'bzip2',
  kind: 'stream',
  magics: ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((l) => magic(`BZh${l}`)),

  identify(src, start) {
    if (!isBzip2Start(src.read(start, 10))) return null;
    const m = measureBzip2(src, start);
    if (!m) return null;
    return { start, end: m.end, meta: { truncated: m.truncated, streams: m.streams, blocks: m.blocks, level: m.level } };
  },

  open(src, chunk, ctx) {
    return openDecoded('bzip2', decodeBzip2, src, chunk, ctx);
  },
};
