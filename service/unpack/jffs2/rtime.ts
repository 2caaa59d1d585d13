// JFFS2's "rtime" compressor (fs/jffs2/compr_rtime.c), decoded from its description: the stream is a list
// of pairs (literal byte, run length). The literal is output; the decoder remembers, per byte value, the
// output position just after where that value was last output, and the run copies that many bytes from there
// (possibly overlapping what it writes, as in LZ77). It is cheap and weak, and older images use it.
import { ErrorCodes, FirmwardenError } from '../../errors.js';

/** Decodes `input` into exactly `size` bytes; throws FW_ERR_UNPACK_MALFORMED when the pairs do not fit. */
export function decodeRtime(input: Uint8Array, size: number): Buffer {
  const out = Buffer.alloc(size);
  const lastSeen = new Uint32Array(256);
  let ip = 0;
  let op = 0;
  while (op < size) {
    if (ip + 2 > input.length) throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `rtime: input ends after ${op} of ${size} bytes`);
    const value = input[ip++] as number;
    const run = input[ip++] as number;
    out[op++] = value;
    let from = lastSeen[value] as number;
    lastSeen[value] = op;
    if (run === 0) continue;
    if (op + run > size) throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `rtime: a run of ${run} passes the ${size}-byte output`);
    if (from + run <= op) {
      out.copyWithin(op, from, from + run);
      op += run;
    } else {
      // Overlapping: byte by byte, so the run repeats what it has just written.
      for (let k = 0; k < run; k++) out[op++] = out[from++] as number;
    }
  }
  return out;
}
