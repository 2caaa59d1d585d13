import { createHash } from 'node:crypto';
import { errorCode, errorMessage } from '../../errors.js';
import type { Component } from '../../report/report-types.js';
import type { FileSystemView, VfsNode } from '../../unpack/vfs.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';
import type { CatalogContext, Cataloger, Detection } from './detection.js';
import { BINARY_SCANS, CATALOGERS } from './detectors.js';
import { mergeSightings, type Sighting } from './merge-detections.js';

/** A cataloger or classifier that threw: reported, and the other detectors go on. */
export const SBOM_DETECTOR_FAILED = 'FW_ERR_SBOM_DETECTOR';

/** Evidence files up to this size are hashed for the report; bigger ones are not worth the time. */
const HASH_FILE_LIMIT = 16 * 1024 * 1024;
const HASH_TOTAL_LIMIT = 256 * 1024 * 1024;

/** Which release file names a filesystem's distribution when several do. */
const DISTRO_SOURCES = ['os-release', 'openwrt-release', 'yocto-buildinfo', 'br-version', 'openwrt-version'];

/**
 * The SBOM: every open-source component of every extracted filesystem, with its version, purl, CPE and the
 * evidence it was found by. Each filesystem is walked once; the catalogers declare the files they want and
 * the binary scans get the walked nodes.
 */
export const sbomAnalyzer: Analyzer = {
  name: 'sbom',
  version: '1.0.0',
  dependsOn: [],
  async analyze(ctx) {
    const sightings: Sighting[] = [];
    const total = ctx.filesystems.length;
    for (const [i, fs] of ctx.filesystems.entries()) {
      ctx.progress(i / Math.max(1, total), `sbom: ${fs.id || fs.format}`);
      sightings.push(...(await detectInFilesystem(fs, ctx)));
    }
    const components = mergeSightings(sightings);
    await hashEvidence(components, ctx);
    ctx.progress(1);
    return { components };
  },
};

async function detectInFilesystem(fs: FileSystemView, ctx: AnalysisContext): Promise<Sighting[]> {
  const cctx: CatalogContext = { fs, signal: ctx.signal };
  const nodes: VfsNode[] = [];
  const selected: Array<[Cataloger, VfsNode]> = [];
  for (const node of fs.walk()) {
    if ((nodes.length & 1023) === 0) ctx.signal.throwIfAborted();
    nodes.push(node);
    for (const c of CATALOGERS) if (c.select(node)) selected.push([c, node]);
  }

  const detections: Detection[] = [];
  for (const [cataloger, node] of selected) {
    ctx.signal.throwIfAborted();
    try {
      detections.push(...(await cataloger.catalog(node, cctx)));
    } catch (err) {
      ctx.signal.throwIfAborted();
      reportFailure(ctx, cataloger.name, err, node.path);
    }
  }
  for (const scan of BINARY_SCANS) {
    try {
      detections.push(...(await scan(fs, nodes, cctx)));
    } catch (err) {
      ctx.signal.throwIfAborted();
      reportFailure(ctx, scan.name || 'binary-scan', err);
    }
  }

  const distro = DISTRO_SOURCES.flatMap((src) => detections.find((d) => d.source === src && d.distro)?.distro ?? [])[0];
  return detections.map((detection) => ({ detection, filesystem: fs.id, chain: fs.chain, distro }));
}

function reportFailure(ctx: AnalysisContext, detector: string, err: unknown, path?: string): void {
  const code = errorCode(err);
  ctx.error({
    code: code.startsWith('FW_ERR_') && code !== 'FW_ERR_INTERNAL' ? code : SBOM_DETECTOR_FAILED,
    message: `${detector}: ${errorMessage(err)}`,
    ...(path ? { path } : {}),
  });
}

/** SHA-256 of each evidence file, read once per (filesystem, path), within a size budget. */
async function hashEvidence(components: Component[], ctx: AnalysisContext): Promise<void> {
  const byId = new Map(ctx.filesystems.map((fs) => [fs.id, fs]));
  const hashes = new Map<string, string | null>();
  let budget = HASH_TOTAL_LIMIT;
  for (const e of components.flatMap((c) => c.evidence)) {
    const fs = e.filesystem !== undefined ? byId.get(e.filesystem) : undefined;
    if (!fs) continue;
    const key = `${e.filesystem}\0${e.path}`;
    if (!hashes.has(key)) {
      ctx.signal.throwIfAborted();
      const node = fs.stat(e.path);
      let digest: string | null = null;
      if (node?.type === 'file' && node.size <= HASH_FILE_LIMIT && node.size <= budget) {
        budget -= node.size;
        try {
          digest = createHash('sha256').update(await fs.read(e.path)).digest('hex');
        } catch {
          digest = null; // the detector read it already; a damaged file only loses its hash
        }
      }
      hashes.set(key, digest);
    }
    const digest = hashes.get(key);
    if (digest) e.sha256 = digest;
  }
}
