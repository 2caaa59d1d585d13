// .lzma (LZMA-Alone): a 13-byte header (props, dictionary size, 64-bit size or "unknown") and a raw LZMA
// stream. Nothing but the magic-less header marks it, so identify() is strict to stay quiet on noise: the
// usual props bytes, a dictionary size xz itself would write (2^n or 2^n + 2^(n-1), 4 KiB .. 1 GiB), a sane
// size, and the stream must decode. LZMA has no block sizes, so the end is found by decoding into a counter
// (bounded: past WALK_LIMIT of output the chunk is taken to run to the end of its source).
import { decodeLzmaAlone, measureLzmaAlone, parseLzmaAloneHeader } from '../codecs/lzma.js';
import { openDecoded } from '../codecs/open-stream.js';
import { magic, type Handler } from '../handler.js';

/** Output decoded to find a stream's end; the default in-memory payload cap, so open() would stop there too. */
const WALK_LIMIT = 256 * 1024 ** 2;
const MIN_DICT = 4096;
const MAX_DICT = 1024 ** 3;
/** The .lzma encoder's size field: xz refuses known sizes of 256 GiB and more as implausible. */
const MAX_SIZE = 2 ** 38;

function plausibleDict(d: number): boolean {
  if (d < MIN_DICT || d > MAX_DICT) return false;
  // 2^n, or 2^n + 2^(n-1): a single bit, or two adjacent bits.
  const low = d & -d;
  return d === low || d === low * 3;
}

export const lzmaHandler: Handler = {
  name: 'lzma',
  kind: 'stream',
  // 0x5D: lc=3 lp=0 pb=2 (every lzma/xz preset); 0x6D: lc=1 lp=2 pb=2 (seen in vendor kernels/squashfs).
  // Dictionary sizes of 64 KiB and more start with two zero bytes.
  magics: [magic([0x5d, 0x00, 0x00]), magic([0x6d, 0x00, 0x00])],

  identify(src, start) {
    const h = parseLzmaAloneHeader(src.read(start, 13));
    if (!h || !plausibleDict(h.props.dictSize)) return null;
    if (h.uncompressedSize !== undefined && (h.uncompressedSize === 0 || h.uncompressedSize >= MAX_SIZE)) return null;
    const walk = measureLzmaAlone(src, start, WALK_LIMIT);
    if (!walk || (walk.outputSize ?? 0) === 0) return null;
    return {
      start,
      end: walk.end,
      meta: {
        truncated: walk.truncated,
        ...(walk.endUnknown ? { endUnknown: true } : {}),
        dictSize: h.props.dictSize,
        ...(h.uncompressedSize !== undefined ? { uncompressedSize: h.uncompressedSize } : walk.endUnknown || walk.truncated ? {} : { uncompressedSize: walk.outputSize }),
      },
    };
  },

  open(src, chunk, ctx) {
    return openDecoded('lzma', decodeLzmaAlone, src, chunk, ctx);
  },
};
