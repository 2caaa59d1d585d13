import type { VfsNode } from '../../../unpack/vfs.js';
import { canonicalPackageName } from '../component-identity.js';
import type { Cataloger, Detection } from '../detection.js';
import { evidenceLine, isFileLike, isToken, MAX_DATABASE_BYTES, parseStanzas, type Stanza } from './control-stanzas.js';

/**
 * dpkg states whose files are on disk (dpkg(1) "package states"). "config-files" (removed, configuration
 * kept), "not-installed" and "half-installed" (a failed removal or install) are not components of the image.
 */
const PRESENT = new Set(['installed', 'half-configured', 'unpacked', 'triggers-awaited', 'triggers-pending']);

function isDpkgDatabase(node: VfsNode): boolean {
  if (!isFileLike(node.type) || node.size > MAX_DATABASE_BYTES) return false;
  if (node.path === '/var/lib/dpkg/status') return true;
  // Distroless images keep one stanza per package in status.d/<name>, beside <name>.md5sums.
  return /^\/var\/lib\/dpkg\/status\.d\/[^/]+$/.test(node.path) && !node.path.endsWith('.md5sums');
}

export function dpkgDetection(stanza: Stanza, path: string): Detection | undefined {
  const pkg = stanza.fields.get('package');
  const version = stanza.fields.get('version');
  if (!isToken(pkg) || !isToken(version)) return undefined;
  // "want flag state"; status.d entries have no Status field and are installed by construction.
  const status = stanza.fields.get('status');
  if (status !== undefined && !PRESENT.has(status.split(/\s+/)[2] ?? '')) return undefined;
  // "Source: gcc-12 (12.2.0-14)": the source package name comes first.
  const source = stanza.fields.get('source')?.split(/\s+/)[0];
  const arch = stanza.fields.get('architecture');
  return {
    name: canonicalPackageName(pkg, source),
    version,
    foundBy: 'package-db',
    source: 'dpkg-status',
    evidence: { path, match: evidenceLine(stanza, ['package', 'version', 'status']), offset: stanza.offset },
    purl: {
      type: 'deb',
      name: pkg,
      qualifiers: {
        ...(isToken(arch) ? { arch } : {}),
        ...(isToken(source) && source !== pkg ? { upstream: source } : {}),
      },
    },
  };
}

/** Debian and Debian-based images (and Yocto images built with deb packaging): /var/lib/dpkg/status. */
export const dpkgStatus: Cataloger = {
  name: 'dpkg-status',
  select: isDpkgDatabase,
  async catalog(node, ctx) {
    const stanzas = parseStanzas(await ctx.fs.read(node.path));
    return stanzas.flatMap((s) => dpkgDetection(s, node.path) ?? []);
  },
};
