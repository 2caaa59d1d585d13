import { canonicalPackageName } from '../component-identity.js';
import type { Cataloger, Detection } from '../detection.js';
import { isFileLike } from './control-stanzas.js';
import { isReleaseVersion } from './shell-assignments.js';

// Yocto/OpenEmbedded images: /etc/os-release (ID=poky or the vendor's DISTRO) is read by the os-release
// cataloger and an ipk or deb database by the opkg and dpkg catalogers (/var/lib/opkg, /var/lib/dpkg; rpm
// databases are Berkeley DB or SQLite files and not read yet). The image-buildinfo class adds a text file with
// "DISTRO = poky" / "DISTRO_VERSION = 4.0.12" and the layer revisions: /etc/build in older releases,
// /etc/buildinfo since. /etc/version and /etc/timestamp hold only a build date, which is no version.
const PATHS = new Set(['/etc/build', '/etc/buildinfo']);

export function yoctoBuildinfoDetection(data: Buffer, path: string): Detection | undefined {
  const text = data.toString('latin1');
  const get = (key: string) => {
    const m = new RegExp(`^${key}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(text);
    return m ? { value: m[1] as string, line: m[0].trim(), offset: m.index } : undefined;
  };
  const distro = get('DISTRO');
  const version = get('DISTRO_VERSION');
  if (!distro || !version || !isReleaseVersion(version.value) || !/^[a-z0-9._-]+$/i.test(distro.value)) return undefined;
  const id = distro.value.toLowerCase();
  return {
    name: canonicalPackageName(id),
    version: version.value,
    foundBy: 'release-file',
    source: 'yocto-buildinfo',
    evidence: { path, match: `${distro.line} | ${version.line}`, offset: version.offset },
    distro: { id, versionId: version.value },
  };
}

export const yoctoBuildinfo: Cataloger = {
  name: 'yocto-buildinfo',
  select: (node) => isFileLike(node.type) && PATHS.has(node.path) && node.size < 1024 * 1024,
  async catalog(node, ctx) {
    const d = yoctoBuildinfoDetection(await ctx.fs.read(node.path), node.path);
    return d ? [d] : [];
  },
};
