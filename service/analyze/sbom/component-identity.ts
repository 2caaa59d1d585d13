// Component identity as data: canonical names, distro package names, CPE vendor:product pairs and purls live in
// the tables under identity/tables/ (one file per family); this file only looks them up.
import { formatCpe23 } from './identity/cpe.js';
import type { ComponentKind, IdentityRow } from './identity/identity-row.js';
import { formatPurl } from './identity/purl.js';
import { CRYPTO_ROWS } from './identity/tables/crypto.js';
import { DISTRO_ROWS } from './identity/tables/distros.js';
import { LIBC_ROWS } from './identity/tables/libc.js';
import { LIBRARY_ROWS } from './identity/tables/libraries.js';
import { NETWORK_ROWS } from './identity/tables/network.js';
import { SYSTEM_ROWS } from './identity/tables/system.js';

export type { ComponentKind, IdentityRow } from './identity/identity-row.js';

export const IDENTITY_ROWS: readonly IdentityRow[] = [
  ...SYSTEM_ROWS,
  ...LIBC_ROWS,
  ...CRYPTO_ROWS,
  ...NETWORK_ROWS,
  ...LIBRARY_ROWS,
  ...DISTRO_ROWS,
];

const byName = new Map<string, IdentityRow>();
const byPackage = new Map<string, IdentityRow>();
for (const row of IDENTITY_ROWS) {
  byName.set(row.name, row);
  for (const p of row.packages ?? []) byPackage.set(p, row);
}

export function identityOf(name: string): IdentityRow | undefined {
  return byName.get(name.toLowerCase());
}

function rowForPackage(pkg: string): IdentityRow | undefined {
  const p = pkg.toLowerCase();
  return byPackage.get(p) ?? byName.get(p) ?? IDENTITY_ROWS.find((r) => r.packagePatterns?.some((re) => re.test(p)));
}

/**
 * The canonical component name of a distro package: its own name when the tables know it (libssl3 -> openssl),
 * else its source package's (Debian "Source:", Alpine "o:", OpenWrt "SourceName:"), else the package name as is.
 * An unknown package stays itself: it gets a purl but no CPE, since a guessed CPE is a false CVE match waiting.
 */
export function canonicalPackageName(pkg: string, source?: string): string {
  const row = rowForPackage(pkg) ?? (source ? rowForPackage(source) : undefined);
  return row?.name ?? pkg.toLowerCase();
}

/**
 * Every CPE 2.3 name of a component at an (upstream) version: the tables' pairs, then any the package declared
 * itself that the tables lack; [] when neither knows the component.
 */
export function cpesFor(
  name: string,
  version: string,
  declared: ReadonlyArray<{ part: 'a' | 'o' | 'h'; vendor: string; product: string }> = [],
): string[] {
  if (!version) return [];
  const row = identityOf(name);
  const names = [
    ...(row?.cpe ?? []).map(([vendor, product]) => ({ part: row?.part ?? 'a', vendor, product })),
    ...declared,
  ];
  return [...new Set(names.map((c) => formatCpe23({ ...c, version })))];
}

/** purl of a component found without a package manager (pkg:generic/busybox@1.19.2); undefined for none. */
export function defaultPurl(name: string, version: string): string | undefined {
  const row = identityOf(name);
  if (row?.purl === null) return undefined;
  const p = row?.purl ?? { type: 'generic' };
  return formatPurl({ type: p.type, namespace: p.namespace, name: p.name ?? name, version: version || undefined });
}

export function componentKind(name: string): ComponentKind {
  return identityOf(name)?.kind ?? (/^lib/.test(name) ? 'library' : 'application');
}
