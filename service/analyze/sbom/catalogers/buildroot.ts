import { canonicalPackageName } from '../component-identity.js';
import type { Cataloger, Detection } from '../detection.js';
import { isFileLike, MAX_DATABASE_BYTES } from './control-stanzas.js';
import { isReleaseVersion } from './shell-assignments.js';

// Buildroot leaves no package database in the target. What real images carry:
//   /etc/os-release (ID=buildroot, since 2015.02): the os-release cataloger reads it;
//   /etc/br-version: one line "2012.11.1", written by Buildroot before os-release existed (libguestfs
//     identifies Buildroot and CirrOS by it);
//   legal-info/manifest.csv: the per-package list `make legal-info` writes, which vendors ship in GPL
//     bundles and sometimes in the image itself ("PACKAGE","VERSION","LICENSE",...); host-manifest.csv lists
//     build-host tools, which are not in the image, and is ignored.

export function brVersionDetection(data: Buffer, path: string): Detection | undefined {
  const line = data.toString('latin1').split('\n')[0]?.trim() ?? '';
  if (!/^\d{4}\.\d{2}(\.\d+)?([-.][\x21-\x7e]*)?$/.test(line)) return undefined;
  return {
    name: 'buildroot',
    version: line,
    foundBy: 'release-file',
    source: 'br-version',
    evidence: { path, match: line, offset: 0 },
    distro: { id: 'buildroot', versionId: line },
  };
}

/** One CSV record's fields; Buildroot quotes every field and doubles embedded quotes. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) && m[0] !== '') out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '').trim());
  return out;
}

export function buildrootManifestDetections(data: Buffer, path: string): Detection[] {
  const text = data.toString('latin1');
  const lines = text.split('\n');
  const header = csvFields((lines[0] ?? '').replace(/\r$/, '')).map((h) => h.toUpperCase());
  if (header[0] !== 'PACKAGE' || header[1] !== 'VERSION' || header[2] !== 'LICENSE') return [];
  const out: Detection[] = [];
  let offset = (lines[0]?.length ?? 0) + 1;
  for (const raw of lines.slice(1)) {
    const lineOffset = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const [pkg, version] = csvFields(line);
    if (!pkg || !version || !/^[a-z0-9][a-z0-9._+-]*$/i.test(pkg) || !isReleaseVersionOrRef(version)) continue;
    out.push({
      name: buildrootCanonical(pkg, version),
      version,
      foundBy: 'package-db',
      source: 'buildroot-manifest',
      evidence: { path, match: line.split(',').slice(0, 2).join(','), offset: lineOffset },
    });
  }
  return out;
}

/** Versions in manifests are releases or VCS references (a git hash for a package built from a commit). */
function isReleaseVersionOrRef(v: string): boolean {
  return isReleaseVersion(v) || /^[0-9a-f]{7,40}$/i.test(v) || /^v\d[\x21-\x7e]{0,63}$/.test(v);
}

/** Buildroot's "uclibc" package has been uClibc-ng since 2015 (versions 1.0.x); 0.9.x was the original. */
function buildrootCanonical(pkg: string, version: string): string {
  if (pkg === 'uclibc') return /^1\./.test(version) ? 'uclibc-ng' : 'uclibc';
  return canonicalPackageName(pkg);
}

export const buildroot: Cataloger = {
  name: 'buildroot',
  select: (node) =>
    isFileLike(node.type) &&
    node.size <= MAX_DATABASE_BYTES &&
    (node.path === '/etc/br-version' || /(^|\/)manifest\.csv$/.test(node.path)),
  async catalog(node, ctx) {
    const data = await ctx.fs.read(node.path);
    if (node.path === '/etc/br-version') {
      const d = brVersionDetection(data, node.path);
      return d ? [d] : [];
    }
    return buildrootManifestDetections(data, node.path);
  },
};
