import { canonicalPackageName } from '../component-identity.js';
import type { Cataloger, Detection } from '../detection.js';
import { isFileLike, isToken, MAX_DATABASE_BYTES } from './control-stanzas.js';

// Alpine's apk-tools v2 database (/lib/apk/db/installed): one block per installed package, "X:value" lines
// (P name, V version, A arch, o origin = source package, then F/R/Z file lists), blocks separated by blank
// lines. Only installed packages are listed, so every complete block is a component.
const DB_PATHS = new Set(['/lib/apk/db/installed', '/usr/lib/apk/db/installed']);

interface Block {
  fields: Map<string, string>;
  lines: Map<string, string>;
  offset: number;
}

function parseBlocks(data: Buffer): Block[] {
  const text = data.toString('latin1');
  const blocks: Block[] = [];
  let current: Block | undefined;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).replace(/\r$/, '');
    const offset = pos;
    pos = end + 1;
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const m = /^([A-Za-z]):(.*)$/.exec(line);
    if (!m) continue;
    if (!current) {
      current = { fields: new Map(), lines: new Map(), offset };
      blocks.push(current);
    }
    const key = m[1] as string;
    // File lists repeat keys (F, R, Z, a, M); only the package header's first occurrence matters.
    if (!current.fields.has(key)) {
      current.fields.set(key, (m[2] as string).trim());
      current.lines.set(key, line.trim());
    }
  }
  return blocks;
}

export function apkDetection(block: Block, path: string): Detection | undefined {
  const pkg = block.fields.get('P');
  const version = block.fields.get('V');
  if (!isToken(pkg) || !isToken(version)) return undefined;
  const origin = block.fields.get('o');
  const arch = block.fields.get('A');
  return {
    name: canonicalPackageName(pkg, origin),
    version,
    foundBy: 'package-db',
    source: 'apk-installed',
    evidence: { path, match: ['P', 'V'].flatMap((k) => block.lines.get(k) ?? []).join(' | '), offset: block.offset },
    purl: {
      type: 'apk',
      name: pkg,
      qualifiers: { ...(isToken(arch) ? { arch } : {}), ...(isToken(origin) && origin !== pkg ? { upstream: origin } : {}) },
    },
  };
}

export const apkInstalled: Cataloger = {
  name: 'apk-installed',
  select: (node) => isFileLike(node.type) && node.size <= MAX_DATABASE_BYTES && DB_PATHS.has(node.path),
  async catalog(node, ctx) {
    return parseBlocks(await ctx.fs.read(node.path)).flatMap((b) => apkDetection(b, node.path) ?? []);
  },
};
