// The banner every Linux kernel carries in its rodata ("Linux version 5.4.72 (builder@host) (gcc ...) #1 SMP
// ..."): the kernel's version as the SBOM analyzer needs it, found in a decompressed kernel without parsing it.
import type { ByteSource } from '../byte-source.js';

const NEEDLE = Buffer.from('Linux version ', 'latin1');
const WINDOW = 4 << 20;
const MAX_BANNER = 512;

/** The first "Linux version <digit>..." line of `src` (up to its newline), or undefined. */
export function findLinuxBanner(src: ByteSource, signal?: AbortSignal): string | undefined {
  for (let pos = 0; pos < src.size; pos += WINDOW) {
    signal?.throwIfAborted();
    // Overlap by the needle's length so a banner across a window edge is still found.
    const buf = src.read(pos, WINDOW + NEEDLE.length);
    for (let i = buf.indexOf(NEEDLE); i >= 0; i = buf.indexOf(NEEDLE, i + 1)) {
      const banner = bannerAt(src, pos + i);
      if (banner) return banner;
    }
  }
  return undefined;
}

/** The banner at `at` when it is one: a version digit after the needle, printable text up to a newline or NUL. */
function bannerAt(src: ByteSource, at: number): string | undefined {
  const text = src.read(at, MAX_BANNER);
  const first = text[NEEDLE.length];
  if (first === undefined || first < 0x30 || first > 0x39) return undefined;
  let end = NEEDLE.length;
  while (end < text.length && text[end] !== 0x0a && text[end] !== 0) {
    const c = text[end] as number;
    if (c < 0x20 || c > 0x7e) return undefined;
    end++;
  }
  return text.toString('latin1', 0, end).trimEnd();
}
