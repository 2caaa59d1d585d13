import { canonicalPackageName } from '../component-identity.js';
import type { Cataloger, Detection } from '../detection.js';
import { isFileLike } from './control-stanzas.js';
import { isReleaseVersion, parseShellAssignments } from './shell-assignments.js';

// os-release(5): the distribution the filesystem is. OpenWrt (since 17.01), Buildroot (since 2015.02), Yocto
// (ID=poky or the vendor's distro), Debian and Alpine all write it; /etc/os-release is usually a symlink to
// /usr/lib/os-release, and both sightings merge into one component.
const PATHS = new Set(['/etc/os-release', '/usr/lib/os-release']);

export function osReleaseDetection(data: Buffer, path: string): Detection | undefined {
  const vars = parseShellAssignments(data);
  const id = vars.get('ID');
  const version = vars.get('VERSION_ID') ?? vars.get('VERSION');
  const distroId = id?.value.toLowerCase();
  if (!distroId || !/^[a-z0-9._-]+$/.test(distroId) || !version) return undefined;
  // VERSION is free text ("12 (bookworm)"); only its leading token is a version.
  const v = version.value.split(/\s+/)[0];
  if (!isReleaseVersion(v)) return undefined;
  return {
    name: canonicalPackageName(distroId),
    version: v,
    foundBy: 'release-file',
    source: 'os-release',
    evidence: { path, match: [id, version].map((a) => a?.line).join(' | '), offset: version.offset },
    distro: { id: distroId, versionId: v },
  };
}

export const osRelease: Cataloger = {
  name: 'os-release',
  select: (node) => isFileLike(node.type) && PATHS.has(node.path),
  async catalog(node, ctx) {
    const d = osReleaseDetection(await ctx.fs.read(node.path), node.path);
    return d ? [d] : [];
  },
};
