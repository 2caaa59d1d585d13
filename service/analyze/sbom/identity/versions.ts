// Package managers decorate the upstream version: Debian adds an epoch ("1:") and a revision ("-1~deb12u2"),
// OpenWrt a release ("-1", and for the kernel the vermagic hash), Alpine and Yocto "-r3". NVD's CPE ranges
// speak of upstream versions, so the CPE carries the upstream one and the component keeps the package's own.

export type VersionScheme = 'deb' | 'opkg' | 'apk' | 'generic';

export function upstreamVersion(version: string, scheme: VersionScheme): string {
  let v = version.trim();
  if (scheme === 'generic') return v;
  v = v.replace(/^\d+:/, '');
  if (scheme === 'apk' || /-r\d+$/.test(v)) return stripRepack(v.replace(/-r\d+$/, ''));
  if (scheme === 'opkg') return v.replace(/-[0-9a-f]{32}$/, '').replace(/-\d+$/, '');
  const dash = v.lastIndexOf('-');
  return stripRepack(dash > 0 ? v.slice(0, dash) : v);
}

/** "2.4.1+really2.3.9" is really 2.3.9; "+dfsg", ".ds", "~repack" only mark a repacked tarball. */
function stripRepack(v: string): string {
  const really = /\+really(.+)$/.exec(v);
  if (really?.[1]) return really[1];
  return v.replace(/[.+~](dfsg|ds|repack)\d*$/i, '');
}

/** Does a version read from a binary agree with a package manager's version of the same component? */
export function versionsAgree(packageVersion: string, scheme: VersionScheme, foundVersion: string): boolean {
  const a = foundVersion.trim().toLowerCase().replace(/^v(?=\d)/, '');
  return a === packageVersion.trim().toLowerCase() || a === upstreamVersion(packageVersion, scheme).toLowerCase();
}
