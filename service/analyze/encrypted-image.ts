import { makeFinding } from '../report/empty-report.js';
import type { Analyzer } from './analyzer.js';

/** Entropy (bits per byte) above which an unknown region looks encrypted or compressed by an unknown scheme. */
const HIGH_ENTROPY = 7.9;
/** Ignore small unknown regions: headers, signatures, padding tails. */
const MIN_REGION_FRACTION = 0.5;

/**
 * Flags an image whose bulk could not be opened and looks random: vendor-encrypted or obfuscated firmware,
 * which no later analyzer can see into. Telling the user so is better than an empty report that looks clean.
 */
export const encryptedImage: Analyzer = {
  name: 'encrypted-image',
  version: '1.0.0',
  dependsOn: [],
  async analyze(ctx) {
    const size = ctx.image.size;
    if (size === 0) return {};
    const opaque = ctx.extraction.unknownRegions.filter((r) => r.chain.length === 0 && r.entropy >= HIGH_ENTROPY);
    const opaqueBytes = opaque.reduce((n, r) => n + r.size, 0);
    if (opaqueBytes / size < MIN_REGION_FRACTION) return {};
    const maxEntropy = Math.max(...opaque.map((r) => r.entropy));
    return {
      findings: [
        makeFinding({
          kind: 'encrypted-image',
          severity: 'info',
          title: 'Most of the image is high-entropy data that no unpacker recognised (encrypted or obfuscated firmware)',
          path: null,
          evidence: `${opaqueBytes} of ${size} bytes in ${opaque.length} unknown region(s), entropy up to ${maxEntropy.toFixed(3)} bits/byte`,
        }),
      ],
    };
  },
};
