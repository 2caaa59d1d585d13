// Recall and precision of (name, version) pairs against the labelled truth, overall and per package.
import type { Detection } from '../../service/analyze/sbom/detection.js';
import type { VfsNode } from '../../service/unpack/vfs.js';
import { scanBinaries } from '../../service/analyze/sbom/binary-scan.js';
import { DirView } from './dir-view.js';

export interface Truth {
  deb: string;
  component: string;
  version: string;
  /** Files the package installs, to tell which package a wrong detection came from. */
  files: ReadonlySet<string>;
}

export interface PackageScore {
  deb: string;
  expected: string;
  found: boolean;
  /** Pairs detected in this package's files that are not in the truth. */
  wrong: string[];
}

export interface Score {
  arch: string;
  recall: number;
  precision: number;
  truePositives: number;
  truthCount: number;
  detectedCount: number;
  falsePositives: string[];
  packages: PackageScore[];
  scanMs: number;
  files: number;
  bytes: number;
}

const pair = (name: string, version: string): string => `${name}@${version}`;

/** Classifies the tree at `root` from its binaries alone and scores it against `truth`. */
export async function scoreTree(arch: string, root: string, truth: readonly Truth[]): Promise<Score> {
  const view = new DirView(root);
  const nodes: VfsNode[] = view.regularFiles();
  const t0 = performance.now();
  const detections: Detection[] = await scanBinaries(view, nodes, { signal: new AbortController().signal });
  const scanMs = performance.now() - t0;
  const truthPairs = new Set(truth.map((t) => pair(t.component, t.version)));
  const detected = new Set(detections.map((d) => pair(d.name, d.version)));
  const tp = [...detected].filter((p) => truthPairs.has(p)).length;
  const falsePositives = [...detected].filter((p) => !truthPairs.has(p)).sort();
  const packages = truth.map((t) => {
    const wrong = new Set<string>();
    for (const d of detections) {
      const p = pair(d.name, d.version);
      if (!truthPairs.has(p) && t.files.has(d.evidence.path)) wrong.add(`${p} (${d.source} in ${d.evidence.path}: ${d.evidence.match.slice(0, 60)})`);
    }
    return { deb: t.deb, expected: pair(t.component, t.version), found: detected.has(pair(t.component, t.version)), wrong: [...wrong] };
  });
  return {
    arch,
    recall: truthPairs.size === 0 ? 1 : [...truthPairs].filter((p) => detected.has(p)).length / truthPairs.size,
    precision: detected.size === 0 ? 1 : tp / detected.size,
    truePositives: tp,
    truthCount: truthPairs.size,
    detectedCount: detected.size,
    falsePositives,
    packages,
    scanMs,
    files: nodes.length,
    bytes: view.totalBytes,
  };
}
