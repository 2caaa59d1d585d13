// One root filesystem per architecture from the labelled packages: every package unpacked into the same
// tree, as a firmware image would hold them, with no package database.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { debFiles, debVersion, download, extract, prepareArch } from './debian.js';
import { upstreamVersion, type LabelledPackage } from './packages.js';
import type { Truth } from './score.js';

export interface BuiltTree {
  root: string;
  truth: Truth[];
  /** Labelled packages the archive did not have for this architecture. */
  unavailable: string[];
}

export function buildTree(arch: string, packages: readonly LabelledPackage[], root: string): BuiltTree {
  const apt = prepareArch(arch);
  const wanted = packages.filter((p) => !p.notOn?.includes(arch));
  const debs = download(apt, wanted.map((p) => p.deb));
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const truth: Truth[] = [];
  const unavailable: string[] = [];
  for (const p of wanted) {
    const deb = debs.get(p.deb);
    if (!deb) {
      unavailable.push(p.deb);
      continue;
    }
    extract(deb, root);
    truth.push({ deb: p.deb, component: p.component, version: upstreamVersion(debVersion(deb)), files: new Set(debFiles(deb)) });
  }
  // Documentation is not firmware content and only slows the walk.
  fs.rmSync(path.join(root, 'usr', 'share', 'doc'), { recursive: true, force: true });
  fs.rmSync(path.join(root, 'usr', 'share', 'man'), { recursive: true, force: true });
  return { root, truth, unavailable };
}
