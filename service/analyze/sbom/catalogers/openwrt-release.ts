import type { Cataloger, Detection } from '../detection.js';
import { isFileLike } from './control-stanzas.js';
import { isReleaseVersion, parseShellAssignments } from './shell-assignments.js';

// OpenWrt's own release files, older than its os-release and kept beside it:
//   /etc/openwrt_release  DISTRIB_ID='OpenWrt' DISTRIB_RELEASE='23.05.0' DISTRIB_REVISION='r23497-6637af95aa'
//   /etc/openwrt_version  one line: the release ("21.02.3") or, on snapshots and many vendor builds, only the
//                         build revision ("r16554-1d4dea6d4f"), which is no version and yields nothing.
// LEDE 17.01 wrote DISTRIB_ID='LEDE'; it stays "lede" (NVD has no CPE for it that we could vouch for).

export function openwrtReleaseDetection(data: Buffer, path: string): Detection | undefined {
  const vars = parseShellAssignments(data);
  const id = vars.get('DISTRIB_ID');
  const release = vars.get('DISTRIB_RELEASE');
  const distroId = id?.value.toLowerCase();
  if (!distroId || !/^[a-z0-9._-]+$/.test(distroId) || !release || !isReleaseVersion(release.value)) return undefined;
  return {
    name: distroId,
    version: release.value,
    foundBy: 'release-file',
    source: 'openwrt-release',
    evidence: { path, match: `${id?.line} | ${release.line}`, offset: release.offset },
    distro: { id: distroId, versionId: release.value },
  };
}

export function openwrtVersionDetection(data: Buffer, path: string): Detection | undefined {
  const line = data.toString('latin1').split('\n')[0]?.trim() ?? '';
  if (!/^\d+\.\d+(\.\d+)?(-rc\d+|-snapshot)?$/i.test(line)) return undefined;
  return {
    name: 'openwrt',
    version: line,
    foundBy: 'release-file',
    source: 'openwrt-version',
    evidence: { path, match: line, offset: 0 },
    distro: { id: 'openwrt', versionId: line },
  };
}

export const openwrtRelease: Cataloger = {
  name: 'openwrt-release',
  select: (node) => isFileLike(node.type) && (node.path === '/etc/openwrt_release' || node.path === '/etc/openwrt_version'),
  async catalog(node, ctx) {
    const data = await ctx.fs.read(node.path);
    const d = node.path.endsWith('_release') ? openwrtReleaseDetection(data, node.path) : openwrtVersionDetection(data, node.path);
    return d ? [d] : [];
  },
};
