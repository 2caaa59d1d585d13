// The labelled set of the accuracy harness: Debian packages whose binaries carry the components the
// classifiers claim, with the component each one is. The truth version is the package's own upstream version
// (dpkg-deb -f Version, epoch and Debian revision removed), never anything read from the binaries.

export interface LabelledPackage {
  /** Debian binary package (bookworm). */
  deb: string;
  /** Canonical component name the classifiers should report. */
  component: string;
  /** Architectures to skip (the package does not exist there). */
  notOn?: readonly string[];
}

export const ACCURACY_PACKAGES: readonly LabelledPackage[] = [
  { deb: 'busybox', component: 'busybox' },
  { deb: 'libssl3', component: 'openssl' },
  { deb: 'dropbear-bin', component: 'dropbear' },
  { deb: 'openssh-server', component: 'openssh' },
  { deb: 'dnsmasq-base', component: 'dnsmasq' },
  { deb: 'lighttpd', component: 'lighttpd' },
  { deb: 'nginx', component: 'nginx' },
  { deb: 'mini-httpd', component: 'mini_httpd' },
  { deb: 'curl', component: 'curl' },
  { deb: 'wget', component: 'wget' },
  { deb: 'zlib1g', component: 'zlib' },
  { deb: 'libc6', component: 'glibc' },
  { deb: 'musl', component: 'musl' },
  { deb: 'libsqlite3-0', component: 'sqlite' },
  { deb: 'libexpat1', component: 'expat' },
  { deb: 'libpcre3', component: 'pcre' },
  { deb: 'libpcre2-8-0', component: 'pcre2' },
  { deb: 'libxml2', component: 'libxml2' },
  { deb: 'libjson-c5', component: 'json-c' },
  { deb: 'libpcap0.8', component: 'libpcap' },
  { deb: 'iptables', component: 'iptables' },
  { deb: 'nftables', component: 'nftables' },
  { deb: 'hostapd', component: 'hostapd' },
  { deb: 'wpasupplicant', component: 'wpa_supplicant' },
  { deb: 'miniupnpd-iptables', component: 'miniupnpd' },
  { deb: 'libupnp13', component: 'libupnp' },
  { deb: 'samba', component: 'samba' },
  { deb: 'vsftpd', component: 'vsftpd' },
  { deb: 'proftpd-core', component: 'proftpd' },
  { deb: 'libsnmp40', component: 'net-snmp' },
  { deb: 'mosquitto', component: 'mosquitto' },
  { deb: 'openvpn', component: 'openvpn' },
  { deb: 'strongswan-charon', component: 'strongswan' },
  { deb: 'chrony', component: 'chrony' },
  { deb: 'avahi-daemon', component: 'avahi' },
  { deb: 'libdbus-1-3', component: 'dbus' },
  { deb: 'bash', component: 'bash' },
  { deb: 'libtinfo6', component: 'ncurses' },
  { deb: 'libgnutls30', component: 'gnutls' },
  { deb: 'libmbedcrypto7', component: 'mbedtls' },
  { deb: 'libwolfssl35', component: 'wolfssl' },
  { deb: 'libssh-4', component: 'libssh' },
  { deb: 'libssh2-1', component: 'libssh2' },
  { deb: 'libnghttp2-14', component: 'nghttp2' },
  { deb: 'libzstd1', component: 'zstd' },
  { deb: 'liblzma5', component: 'xz' },
  { deb: 'libbz2-1.0', component: 'bzip2' },
  { deb: 'libgcrypt20', component: 'libgcrypt' },
  { deb: 'liblua5.3-0', component: 'lua' },
  { deb: 'php8.2-cli', component: 'php' },
  { deb: 'libpython3.11', component: 'python' },
  { deb: 'perl-base', component: 'perl' },
  { deb: 'frr', component: 'frr' },
  { deb: 'libjpeg62-turbo', component: 'libjpeg-turbo' },
  { deb: 'libpng16-16', component: 'libpng' },
  { deb: 'libkrb5-3', component: 'krb5' },
  { deb: 'ldap-utils', component: 'openldap' },
  { deb: 'e2fsprogs', component: 'e2fsprogs' },
  { deb: 'util-linux', component: 'util-linux' },
  { deb: 'libmodbus5', component: 'libmodbus' },
];

/** The vitest subset: small packages, one architecture. */
export const QUICK_PACKAGES: readonly string[] = ['busybox', 'libssl3', 'dropbear-bin', 'zlib1g', 'libexpat1'];

/** "1:1.35.0-4+deb12u1+b1" -> "1.35.0"; "1.2.13.dfsg-1" -> "1.2.13"; "2:8.39-15" -> "8.39". */
export function upstreamVersion(debianVersion: string): string {
  let v = debianVersion.replace(/^\d+:/, '');
  const dash = v.lastIndexOf('-');
  if (dash > 0) v = v.slice(0, dash);
  return v.replace(/[+~](?:dfsg|ds|really|repack).*$/i, '').replace(/\.dfsg\d*$/i, '');
}
