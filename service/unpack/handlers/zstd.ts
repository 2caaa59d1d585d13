// Zstandard (28 B5 2F FD): frames sized from their block headers (codecs/zstd.ts measureZstd), so the end is
// exact without decoding; skippable frames between zstd frames belong to the chunk. Block headers are only
// 3 bytes, so noise behind a magic passes the walk now and then (about 1 in 50): the start of the chunk is
// also decoded, a little, to be sure.
import { ErrorCodes, isFirmwardenError } from '../../errors.js';
import { decodeZstd, measureZstd } from '../codecs/zstd.js';
import { openDecoded } from '../codecs/open-stream.js';
import { magic, type Handler } from '../handler.js';

const TRIAL_INPUT = 256 * 1024;
const TRIAL_OUTPUT = 64 * 1024;

export const zstdHandler: Handler = {
  name: 'zstd',
  kind: 'stream',
  magics: [magic([0x28, 0xb5, 0x2f, 0xfd])],

  identify(src, start) {
    const m = measureZstd(src, start);
    // Frames that need a dictionary come from applications, not firmware builds; noise sets those bits often.
    if (!m || m.dictId !== 0) return null;
    try {
      const trial = decodeZstd(src.read(start, Math.min(m.end - start, TRIAL_INPUT)), { maxOutput: TRIAL_OUTPUT });
      // A cut frame that yields nothing cannot be told from noise.
      if (m.truncated && trial.data.length === 0) return null;
    } catch (err) {
      if (isFirmwardenError(err) && err.code === ErrorCodes.UNPACK_MALFORMED) return null;
    }
    return {
      start,
      end: m.end,
      meta: { truncated: m.truncated, frames: m.frames, windowSize: m.windowSize, ...(m.outputSize !== undefined && !m.truncated ? { uncompressedSize: m.outputSize } : {}) },
    };
  },

  open(src, chunk, ctx) {
    return openDecoded('zstd', decodeZstd, src, chunk, ctx);
  },
};
