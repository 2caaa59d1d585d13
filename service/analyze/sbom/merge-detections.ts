// Sightings of components -> report components. Same canonical name and same version: one component with all
// the evidence and every method that found it. A version read from a binary that agrees with a package
// database's (1.36.1 vs 1.36.1-1) joins that component. Different versions stay different components: an image
// with two OpenSSL builds has two, and each is matched against CVEs on its own; nothing is averaged.
import type { ChainLink, Component, Evidence } from '../../report/report-types.js';
import { componentKind, cpesFor, defaultPurl } from './component-identity.js';
import { FOUND_BY_STRENGTH, type Detection, type FoundBy } from './detection.js';
import { formatPurl } from './identity/purl.js';
import { upstreamVersion, versionsAgree, type VersionScheme } from './identity/versions.js';

/** A detection with where it was made: the filesystem and its container chain. */
export interface Sighting {
  detection: Detection;
  filesystem: string;
  chain: readonly ChainLink[];
  /** The filesystem's distribution, from its release file: namespace and distro qualifier of package purls. */
  distro?: { id: string; versionId?: string } | undefined;
}

const DEFAULT_NAMESPACE: Record<string, string> = { deb: 'debian', opkg: 'openwrt', apk: 'alpine' };

function strength(f: FoundBy): number {
  const i = FOUND_BY_STRENGTH.indexOf(f);
  return i < 0 ? FOUND_BY_STRENGTH.length : i;
}

export function versionScheme(d: Detection): VersionScheme {
  const t = d.purl?.type;
  return t === 'deb' || t === 'opkg' || t === 'apk' ? t : 'generic';
}

/** Distributions that never use a package type: their release file says nothing about such packages. */
const FOREIGN: Record<string, readonly string[]> = {
  deb: ['openwrt', 'lede', 'alpine', 'buildroot'],
  opkg: ['debian', 'ubuntu', 'raspbian', 'alpine'],
  apk: ['debian', 'ubuntu', 'raspbian', 'openwrt', 'lede', 'buildroot', 'poky'],
};

export function sightingPurl(s: Sighting): string | undefined {
  const p = s.detection.purl;
  if (!p) return undefined;
  const fallback = DEFAULT_NAMESPACE[p.type];
  const distro = s.distro && fallback && !FOREIGN[p.type]?.includes(s.distro.id) ? s.distro : undefined;
  return formatPurl({
    type: p.type,
    namespace: p.namespace ?? distro?.id ?? fallback,
    name: p.name ?? s.detection.name,
    version: s.detection.version,
    qualifiers: { ...(distro?.versionId ? { distro: `${distro.id}-${distro.versionId}` } : {}), ...p.qualifiers },
  });
}

function evidenceOf(s: Sighting): Evidence {
  return { ...s.detection.evidence, source: s.detection.source, filesystem: s.filesystem, chain: [...s.chain] };
}

function evidenceKey(e: Evidence): string {
  return [e.filesystem ?? '', e.path, e.offset ?? '', e.match].join('\0');
}

export function mergeSightings(sightings: readonly Sighting[]): Component[] {
  // Strongest method first, then the catalogers' order, so a group's first sighting is its best one.
  const ordered = sightings
    .map((s, i) => ({ s, i }))
    .sort((a, b) => strength(a.s.detection.foundBy) - strength(b.s.detection.foundBy) || a.i - b.i)
    .map(({ s }) => s);
  const groups = new Map<string, Sighting[]>();
  for (const s of ordered) {
    const key = `${s.detection.name}\0${s.detection.version.toLowerCase()}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }

  // A binary's version that agrees with a package database's joins it; a release file is never folded.
  const packageGroups = [...groups.values()].filter((g) => g[0]?.detection.foundBy === 'package-db');
  for (const [key, g] of groups) {
    const first = g[0];
    if (!first || first.detection.foundBy === 'package-db' || first.detection.foundBy === 'release-file') continue;
    const target = packageGroups.find((pg) => {
      const d = pg[0]?.detection;
      return d !== undefined && d.name === first.detection.name && versionsAgree(d.version, versionScheme(d), first.detection.version);
    });
    if (target) {
      target.push(...g);
      groups.delete(key);
    }
  }

  const components = [...groups.values()].map(toComponent);
  return components.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

function toComponent(group: Sighting[]): Component {
  const primary = group[0] as Sighting;
  const { name, version } = primary.detection;
  const purl = group.map(sightingPurl).find((p) => p !== undefined) ?? defaultPurl(name, version);
  const declared = group.flatMap((s) => s.detection.declaredCpe ?? []);
  const cpes = cpesFor(name, upstreamVersion(version, versionScheme(primary.detection)), declared);
  const evidence = new Map<string, Evidence>();
  for (const s of group) {
    const e = evidenceOf(s);
    if (!evidence.has(evidenceKey(e))) evidence.set(evidenceKey(e), e);
  }
  const methods = [...new Set(group.map((s) => s.detection.foundBy))].sort((a, b) => strength(a) - strength(b));
  return {
    name,
    version,
    ...(purl ? { purl } : {}),
    ...(cpes[0] ? { cpe: cpes[0] } : {}),
    ...(cpes.length > 1 ? { cpes } : {}),
    kind: componentKind(name),
    foundBy: methods[0] as FoundBy,
    foundByAll: methods,
    evidence: [...evidence.values()],
  };
}
