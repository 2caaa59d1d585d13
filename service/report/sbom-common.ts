// What the CycloneDX and SPDX exports share: how evidence and container chains read as text.
import type { ChainLink, Evidence } from './report-types.js';

/** "gzip@0 > tar@0 > /boot/rootfs.img:squashfs@1024": where a filesystem sits inside the image. */
export function describeChain(chain: readonly ChainLink[] | undefined): string {
  if (!chain?.length) return '(image)';
  return chain.map((l) => `${l.path ? `${l.path}:` : ''}${l.format}@${l.offset}`).join(' > ');
}

/** One evidence entry as a line of text: path, container chain, hash, method and what matched. */
export function describeEvidence(e: Evidence): string {
  return [
    `${e.path}${e.offset !== undefined ? `@${e.offset}` : ''}`,
    `in ${describeChain(e.chain)}${e.filesystem ? ` (${e.filesystem})` : ''}`,
    ...(e.sha256 ? [`sha256:${e.sha256}`] : []),
    ...(e.source ? [`by ${e.source}`] : []),
    `matched "${e.match}"`,
  ].join('; ');
}
