import type { Cataloger, Detection } from '../../../service/analyze/sbom/detection.js';
import type { ChainLink } from '../../../service/report/report-types.js';
import { MemoryTree } from '../../../service/unpack/memory-tree.js';

/** A small in-memory filesystem view: files by absolute path, plus symlinks. */
export function memoryFs(
  files: Record<string, string | Buffer>,
  opts: { id?: string; chain?: ChainLink[]; symlinks?: Record<string, string> } = {},
): MemoryTree {
  const t = new MemoryTree('test');
  t.id = opts.id ?? 'fs0';
  t.chain = opts.chain ?? [];
  for (const [path, content] of Object.entries(files)) {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    t.add({ path, type: 'file', mode: 0o644, size: buf.length, content: () => buf });
  }
  for (const [path, target] of Object.entries(opts.symlinks ?? {})) t.add({ path, type: 'symlink', mode: 0o777, linkTarget: target });
  return t;
}

/** What the analyzer does for one cataloger: walk once, select, catalog. */
export async function runCataloger(c: Cataloger, files: Record<string, string | Buffer>, symlinks?: Record<string, string>): Promise<Detection[]> {
  const fs = memoryFs(files, symlinks ? { symlinks } : {});
  const signal = new AbortController().signal;
  const out: Detection[] = [];
  for (const node of fs.walk()) if (c.select(node)) out.push(...(await c.catalog(node, { fs, signal })));
  return out;
}

/** name@version of each detection, sorted, for compact assertions. */
export function ids(ds: readonly Detection[]): string[] {
  return ds.map((d) => `${d.name}@${d.version}`).sort();
}
