import type { VfsNode } from '../../../unpack/vfs.js';
import { canonicalPackageName } from '../component-identity.js';
import type { Cataloger, Detection } from '../detection.js';
import { evidenceLine, isFileLike, isToken, MAX_DATABASE_BYTES, parseStanzas, type Stanza } from './control-stanzas.js';

// opkg (and its ancestor ipkg) keep a dpkg-like status file plus one <package>.control per package:
//   OpenWrt/LEDE: /usr/lib/opkg/status and /usr/lib/opkg/info/*.control (the ROM's packages);
//   Yocto/OE with ipk packaging: /var/lib/opkg/status and /var/lib/opkg/info/*.control;
//   older OpenWrt (Kamikaze) and vendor SDKs built on it: /usr/lib/ipkg/{status,info/*.control}.
const DB_DIRS = ['/usr/lib/opkg', '/var/lib/opkg', '/usr/lib/ipkg'];

/** opkg states whose files are on disk; "not-installed" and "config-files" entries are not components. */
const PRESENT = new Set(['installed', 'unpacked', 'half-configured']);

function isOpkgDatabase(node: VfsNode): boolean {
  if (!isFileLike(node.type) || node.size > MAX_DATABASE_BYTES) return false;
  return DB_DIRS.some(
    (dir) => node.path === `${dir}/status` || (node.path.startsWith(`${dir}/info/`) && /^[^/]+\.control$/.test(node.path.slice(dir.length + 6))),
  );
}

export function opkgDetection(stanza: Stanza, path: string): Detection | undefined {
  const pkg = stanza.fields.get('package');
  const version = stanza.fields.get('version');
  if (!isToken(pkg) || !isToken(version)) return undefined;
  const status = stanza.fields.get('status');
  if (status !== undefined && !PRESENT.has(status.split(/\s+/)[2] ?? '')) return undefined;
  // Control files name the OpenWrt source package: "SourceName: openssl", "Source: package/libs/openssl".
  const source = stanza.fields.get('sourcename') ?? stanza.fields.get('source')?.split('/').pop();
  const arch = stanza.fields.get('architecture');
  const declaredCpe = parseCpeId(stanza.fields.get('cpe-id'));
  return {
    name: canonicalPackageName(pkg, source),
    version,
    foundBy: 'package-db',
    source: path.endsWith('.control') ? 'opkg-control' : 'opkg-status',
    evidence: { path, match: evidenceLine(stanza, ['package', 'version', 'status']), offset: stanza.offset },
    purl: { type: 'opkg', name: pkg, qualifiers: isToken(arch) ? { arch } : {} },
    ...(declaredCpe ? { declaredCpe: [declaredCpe] } : {}),
  };
}

/** OpenWrt's "CPE-ID: cpe:/a:busybox:busybox" (a CPE 2.2 URI without version), set by PKG_CPE_ID. */
function parseCpeId(v: string | undefined): { part: 'a' | 'o' | 'h'; vendor: string; product: string } | undefined {
  const m = /^cpe:\/([aho]):([^:\s]+):([^:\s]+)/i.exec(v ?? '');
  if (!m) return undefined;
  try {
    const vendor = decodeURIComponent(m[2] as string).toLowerCase();
    const product = decodeURIComponent(m[3] as string).toLowerCase();
    return { part: (m[1] as string).toLowerCase() as 'a' | 'o' | 'h', vendor, product };
  } catch {
    return undefined;
  }
}

export const opkgStatus: Cataloger = {
  name: 'opkg-status',
  select: isOpkgDatabase,
  async catalog(node, ctx) {
    const stanzas = parseStanzas(await ctx.fs.read(node.path));
    return stanzas.flatMap((s) => opkgDetection(s, node.path) ?? []);
  },
};
