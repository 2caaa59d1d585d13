// The payloads no handler opened fully (a decompressed kernel, a gzipped single file, a firmware blob out
// of a uImage) exist nowhere else once the unpacker is done: no tree holds them. This synthetic view holds
// each as a file, so analyzers read them like any other file (the SBOM analyzer finds the kernel's
// "Linux version" banner in "/uimage@0x0/vmlinux"). A file's directory spells the container chain that
// produced it; describe() gives that chain and the meta of the handler that produced the payload.
import type { ChainLink } from '../../report/report-types.js';
import type { ByteSource } from '../byte-source.js';
import { MemoryTree, type ProblemSink } from '../memory-tree.js';
import { safeName } from './parts.js';

export const PAYLOADS_FORMAT = 'payloads';

export interface PayloadInfo {
  /** Containers from the image down to the handler that produced this payload (its link last). */
  chain: ChainLink[];
  /** That handler's chunk meta (linuxBanner, compression, os/arch ...). */
  meta: Record<string, unknown>;
}

/** "squashfs@0x0/boot/vmlinuz:gzip@0x0": one path segment (or more, for a file path) per chain link. */
function chainPath(chain: readonly ChainLink[]): string {
  return chain.map((l) => `${l.path ? `${l.path.replace(/^\/+/, '')}:` : ''}${l.format}@0x${l.offset.toString(16)}`).join('/');
}

export class PayloadView extends MemoryTree {
  private readonly info = new Map<string, PayloadInfo>();

  constructor(problem: ProblemSink, maxEntries?: number) {
    super(PAYLOADS_FORMAT, problem, maxEntries);
  }

  /** Adds a payload as "/<chain>/<name>" ("payload" when its handler gave no name); returns its path. */
  addPayload(chain: ChainLink[], name: string | undefined, data: ByteSource, meta: Record<string, unknown>): string | undefined {
    const node = this.add({
      path: `${chainPath(chain)}/${safeName(name ?? '', 'payload')}`,
      type: 'file',
      mode: 0o444,
      size: data.size,
      source: () => data,
    });
    if (node) this.info.set(node.path, { chain, meta });
    return node?.path;
  }

  describe(path: string): PayloadInfo | undefined {
    return this.info.get(path);
  }

  get size(): number {
    return this.info.size;
  }
}
