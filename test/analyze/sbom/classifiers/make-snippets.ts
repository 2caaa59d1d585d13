// Regenerates snippets.ts: for every classifier row, the bytes around its match in a real binary — a Debian
// package (apt-get download, armhf unless said otherwise) or a corpus image (FIRMWARDEN_CORPUS) — with the
// package, version and path they came from. Rows whose component exists in neither keep the hand-written
// snippet of the upstream literal (LITERAL_SNIPPETS below).
//   node --import tsx test/analyze/sbom/classifiers/make-snippets.ts [row-id ...]
// With row ids, only those rows are regenerated and the other snippets are kept.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classifyBytes } from '../../../../service/analyze/sbom/binary-scan.js';
import { DEFAULT_UNPACK_LIMITS, unpackImage } from '../../../../service/unpack/unpack-image.js';
import { debVersion, download, extract, prepareArch } from '../../../sbom-accuracy/debian.js';
import { LITERAL_SNIPPETS, type Snippet } from './snippet-types.js';

type Source = { deb: string; file: RegExp; arch?: string } | { corpus: string; file: RegExp; label: string };

const CORPUS = process.env.FIRMWARDEN_CORPUS ?? path.resolve('../shared/corpus');
const TPLINK = { corpus: 'firmware/tplink-firmware-reversing/rootfs.squashfs', label: 'TP-Link MT7628 rootfs.squashfs' };
const TRENDNET = { corpus: 'firmware/binwalk/v2-input-vectors/firmware.squashfs', label: 'TRENDnet TEW-733GR firmware.squashfs' };
const ZYXEL = { corpus: 'firmware/binwalk/v3-tests-inputs/squashfs_v2.bin', label: 'ZyXEL P-663H-51 squashfs_v2.bin' };

/** Where each row's real bytes come from (several sources: several snippets). */
const SOURCES: Record<string, Source[]> = {
  openssl: [{ deb: 'libssl3', file: /libcrypto\.so\.3$/ }, { ...TRENDNET, file: /libcrypto\.so\.0\.9\.8$/ }, { ...ZYXEL, file: /libssl\.so\.0\.9\.7$/ }],
  gnutls: [{ deb: 'libgnutls30', file: /libgnutls\.so\.30\./ }],
  mbedtls: [{ deb: 'libmbedcrypto7', file: /libmbedcrypto\.so\.\d/ }],
  wolfssl: [{ deb: 'libwolfssl35', file: /libwolfssl\.so\.35\./ }],
  libgcrypt: [{ deb: 'libgcrypt20', file: /libgcrypt\.so\.20\./ }],
  'libgpg-error': [{ deb: 'libgpg-error0', file: /libgpg-error\.so\.0\./ }],
  krb5: [{ deb: 'libkrb5-3', file: /libkrb5\.so\.3\./ }],
  openldap: [{ deb: 'ldap-utils', file: /bin\/ldapsearch$/ }],
  dropbear: [{ deb: 'dropbear-bin', file: /sbin\/dropbear$/ }, { ...TPLINK, file: /dropbearmulti$/ }, { ...ZYXEL, file: /bin\/cfm$/ }],
  openssh: [{ deb: 'openssh-server', file: /sbin\/sshd$/ }],
  libssh: [{ deb: 'libssh-4', file: /libssh\.so\.4\./ }],
  libssh2: [{ deb: 'libssh2-1', file: /libssh2\.so\.1\./ }],
  lighttpd: [{ deb: 'lighttpd', file: /sbin\/lighttpd$/ }],
  nginx: [{ deb: 'nginx', file: /sbin\/nginx$/ }],
  'apache-httpd': [{ deb: 'apache2-bin', file: /sbin\/apache2$/ }],
  mini_httpd: [{ deb: 'mini-httpd', file: /sbin\/mini_httpd$/ }],
  haproxy: [{ deb: 'haproxy', file: /sbin\/haproxy$/ }],
  tinyproxy: [{ deb: 'tinyproxy-bin', file: /bin\/tinyproxy$/ }],
  stunnel: [{ deb: 'stunnel4', file: /bin\/stunnel4$/ }],
  glibc: [{ deb: 'libc6', file: /libc\.so\.6$/ }, { deb: 'libc6', file: /ld-linux-armhf\.so\.3$/ }],
  musl: [{ deb: 'musl', file: /musleabihf\/libc\.so$/ }],
  dnsmasq: [{ deb: 'dnsmasq-base', file: /sbin\/dnsmasq$/ }, { ...TRENDNET, file: /sbin\/dnsmasq$/ }],
  hostapd: [{ deb: 'hostapd', file: /sbin\/hostapd$/ }, { ...TRENDNET, file: /sbin\/hostapd$/ }],
  wpa_supplicant: [{ deb: 'wpasupplicant', file: /sbin\/wpa_supplicant$/ }],
  miniupnpd: [{ deb: 'miniupnpd-iptables', file: /sbin\/miniupnpd$/ }],
  libupnp: [{ deb: 'libupnp13', file: /libupnp\.so\.13\./ }],
  samba: [{ deb: 'samba', file: /sbin\/samba$/ }],
  vsftpd: [{ deb: 'vsftpd', file: /sbin\/vsftpd$/ }],
  proftpd: [{ deb: 'proftpd-core', file: /sbin\/proftpd$/ }],
  'pure-ftpd': [{ deb: 'pure-ftpd', file: /sbin\/pure-ftpd$/ }],
  'net-snmp': [{ deb: 'libsnmp40', file: /libnetsnmp\.so\.40\./ }],
  mosquitto: [{ deb: 'mosquitto', file: /sbin\/mosquitto$/ }],
  openvpn: [{ deb: 'openvpn', file: /sbin\/openvpn$/ }],
  strongswan: [{ deb: 'strongswan-charon', file: /ipsec\/charon$/ }],
  ntpsec: [{ deb: 'ntpsec', file: /sbin\/ntpd$/ }],
  chrony: [{ deb: 'chrony', file: /sbin\/chronyd$/ }],
  avahi: [{ deb: 'avahi-daemon', file: /sbin\/avahi-daemon$/ }],
  dbus: [{ deb: 'libdbus-1-3', file: /libdbus-1\.so\.3\./ }],
  'isc-dhcp': [{ deb: 'isc-dhcp-client', file: /sbin\/dhclient$/ }],
  dhcpcd: [{ deb: 'dhcpcd-base', file: /sbin\/dhcpcd$/ }],
  ppp: [{ deb: 'ppp', file: /sbin\/pppd$/ }, { ...TPLINK, file: /sbin\/pppd$/ }],
  xl2tpd: [{ deb: 'xl2tpd', file: /sbin\/xl2tpd$/ }, { ...TPLINK, file: /sbin\/xl2tpd$/ }],
  radvd: [{ deb: 'radvd', file: /sbin\/radvd$/ }, { ...TPLINK, file: /sbin\/radvd$/ }],
  lldpd: [{ deb: 'lldpd', file: /sbin\/lldpd$/ }],
  keepalived: [{ deb: 'keepalived', file: /sbin\/keepalived$/ }],
  unbound: [{ deb: 'unbound', file: /sbin\/unbound$/ }],
  bind: [{ deb: 'bind9', file: /sbin\/named$/ }],
  tcpdump: [{ deb: 'tcpdump', file: /bin\/tcpdump$/ }],
  libpcap: [{ deb: 'libpcap0.8', file: /libpcap\.so\.1\./ }],
  frr: [{ deb: 'frr', file: /libfrr\.so\.0\./ }],
  ebtables: [{ deb: 'ebtables', file: /libebtc\.so/ }, { ...ZYXEL, file: /bin\/ebtables$/ }],
  iptables: [{ deb: 'iptables', file: /sbin\/xtables-legacy-multi$/ }, { ...TPLINK, file: /bin\/xtables-multi$/ }],
  'iptables-variant': [{ deb: 'iptables', file: /sbin\/xtables-nft-multi$/ }],
  nftables: [{ deb: 'nftables', file: /sbin\/nft$/ }],
  'conntrack-tools': [{ deb: 'conntrack', file: /sbin\/conntrack$/ }],
  ipset: [{ deb: 'libipset13', file: /libipset\.so\.13\./ }],
  zlib: [{ deb: 'zlib1g', file: /libz\.so\.1\./ }],
  bzip2: [{ deb: 'libbz2-1.0', file: /libbz2\.so\.1\.0\./ }],
  xz: [{ deb: 'xz-utils', file: /bin\/xz$/ }],
  'zstd-cli': [{ deb: 'zstd', file: /bin\/zstd$/ }],
  libarchive: [{ deb: 'libarchive13', file: /libarchive\.so\.13\./ }],
  'gnu-tar': [{ deb: 'tar', file: /sbin\/rmt-tar$/ }],
  sqlite: [{ deb: 'libsqlite3-0', file: /libsqlite3\.so\.0\./ }],
  expat: [{ deb: 'libexpat1', file: /libexpat\.so\.1\./ }],
  pcre: [{ deb: 'libpcre3', file: /libpcre\.so\.3\./ }],
  pcre2: [{ deb: 'libpcre2-8-0', file: /libpcre2-8\.so\.0\./ }],
  libxml2: [{ deb: 'libxml2', file: /libxml2\.so\.2\./ }],
  'json-c': [{ deb: 'libjson-c5', file: /libjson-c\.so\.5\./ }],
  curl: [{ deb: 'curl', file: /bin\/curl$/ }],
  libcurl: [{ deb: 'libcurl4', file: /libcurl\.so\.4\./ }],
  wget: [{ deb: 'wget', file: /bin\/wget$/ }],
  nghttp2: [{ deb: 'libnghttp2-14', file: /libnghttp2\.so\.14\./ }],
  libevent: [{ deb: 'libevent-2.1-7', file: /libevent-2\.1\.so\.7\./ }],
  'libjpeg-turbo': [{ deb: 'libjpeg62-turbo', file: /libjpeg\.so\.62\./ }],
  libpng: [{ deb: 'libpng16-16', file: /libpng16\.so\.16\./ }],
  ncurses: [{ deb: 'libtinfo6', file: /libtinfo\.so\.6\./ }],
  readline: [{ deb: 'libreadline8', file: /libreadline\.so\.8\./ }],
  libcap: [{ deb: 'libcap2', file: /libcap\.so\.2\./ }],
  glib: [{ deb: 'libglib2.0-0', file: /libgio-2\.0\.so\.0\./ }],
  libext2fs: [{ deb: 'libext2fs2', file: /libext2fs\.so\.2\./ }],
  e2fsprogs: [{ deb: 'e2fsprogs', file: /sbin\/e2fsck$/ }],
  bash: [{ deb: 'bash', file: /bin\/bash$/ }],
  lua: [{ deb: 'liblua5.3-0', file: /liblua5\.3\.so\.0\./ }, { deb: 'liblua5.1-0', file: /liblua5\.1\.so\.0\./ }],
  php: [{ deb: 'php8.2-cli', file: /bin\/php8\.2$/ }],
  python: [{ deb: 'libpython3.11', file: /libpython3\.11\.so\.1\.0$/ }],
  perl: [{ deb: 'perl-base', file: /bin\/perl$/ }],
  ruby: [{ deb: 'libruby3.1', file: /libruby-3\.1\.so\.3\.1/ }],
  busybox: [{ deb: 'busybox', file: /bin\/busybox$/ }, { ...TPLINK, file: /bin\/busybox$/ }, { ...TRENDNET, file: /bin\/busybox$/ }, { ...ZYXEL, file: /bin\/busybox$/ }],
  'util-linux': [{ deb: 'util-linux', file: /bin\/setarch$/ }],
  procps: [{ deb: 'procps', file: /bin\/ps$/ }],
  kmod: [{ deb: 'kmod', file: /bin\/kmod$/ }],
  systemd: [{ deb: 'systemd', file: /bin\/systemctl$/ }],
  sudo: [{ deb: 'sudo', file: /bin\/sudo$/ }],
  strace: [{ deb: 'strace', file: /bin\/strace$/ }],
  gdbserver: [{ deb: 'gdbserver', file: /bin\/gdbserver$/ }],
  socat: [{ deb: 'socat', file: /bin\/socat$/ }],
  ethtool: [{ deb: 'ethtool', file: /sbin\/ethtool$/ }],
  'mtd-utils': [{ deb: 'mtd-utils', file: /sbin\/ubinfo$/ }],
  'u-boot-tools': [{ deb: 'u-boot-tools', file: /bin\/mkimage$/ }],
  iputils: [{ deb: 'iputils-ping', file: /bin\/ping$/ }],
  gzip: [{ deb: 'gzip', file: /bin\/gzip$/ }],
  rsync: [{ deb: 'rsync', file: /bin\/rsync$/ }],
  libmodbus: [{ deb: 'libmodbus5', file: /libmodbus\.so\.5\./ }],
  'linux-banner': [{ corpus: 'firmware/tplink-firmware-reversing/kernel.bin', label: 'TP-Link kernel.bin (LZMA payload)', file: /vmlinux$/ }],
  'linux-vermagic': [{ ...TPLINK, file: /lib\/modules\/afc\.ko$/ }],
  'u-boot': [{ deb: 'u-boot-sunxi', file: /A20-OLinuXino-Lime\/u-boot-sunxi-with-spl\.bin$/ }, { corpus: 'firmware/tplink-firmware-reversing/uboot.bin', label: 'TP-Link uboot.bin', file: /^\/uboot\.bin$/ }],
};

const CONTEXT = 24;

function escapeLatin1(b: Buffer): string {
  let s = '';
  for (const c of b) {
    if (c === 0x27 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/** The snippet of `row` in one file: the match with CONTEXT bytes on each side. */
function cut(rowId: string, filePath: string, bytes: Buffer, source: string): Snippet | undefined {
  const d = classifyBytes(filePath, bytes).find((x) => x.source === `classifier:${rowId}`);
  if (!d || d.evidence.offset === undefined) return undefined;
  // The printable match shortens NUL runs and stops at 200 characters: take enough bytes to cover the raw match.
  const raw = d.evidence.match.length >= 200 ? 2100 : 3 * d.evidence.match.length;
  const from = Math.max(0, d.evidence.offset - CONTEXT);
  const to = Math.min(bytes.length, d.evidence.offset + raw + CONTEXT);
  return { row: rowId, version: d.version, path: filePath, source: `${source} @0x${d.evidence.offset.toString(16)}`, bytes: bytes.subarray(from, to).toString('latin1') };
}

async function fromDeb(rowId: string, src: { deb: string; file: RegExp; arch?: string }, work: string): Promise<Snippet | undefined> {
  const arch = src.arch ?? 'armhf';
  const apt = prepareArch(arch);
  const deb = download(apt, [src.deb]).get(src.deb);
  if (!deb) throw new Error(`${src.deb} not downloadable for ${arch}`);
  const root = path.join(work, arch, src.deb);
  if (!fs.existsSync(root)) extract(deb, root);
  const file = walk(root).find((f) => src.file.test(f));
  if (!file) throw new Error(`${src.deb}: no file matches ${src.file}`);
  const rel = `/${path.relative(root, file)}`;
  return cut(rowId, rel, fs.readFileSync(file), `${src.deb} ${debVersion(deb)} ${arch} ${rel}`);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const images = new Map<string, Awaited<ReturnType<typeof unpackImage>>>();

async function fromCorpus(rowId: string, src: { corpus: string; file: RegExp; label: string }): Promise<Snippet | undefined> {
  let img = images.get(src.corpus);
  if (!img) {
    img = await unpackImage({ imagePath: path.join(CORPUS, src.corpus), limits: DEFAULT_UNPACK_LIMITS });
    images.set(src.corpus, img);
  }
  for (const view of img.filesystems) {
    for (const node of view.walk()) {
      if (node.type !== 'file' || !src.file.test(node.path)) continue;
      return cut(rowId, node.path, await view.read(node.path), `${src.label} ${node.path}`);
    }
  }
  // A raw image (uboot.bin) is carved, not a tree: classify the image file itself.
  const raw = fs.readFileSync(path.join(CORPUS, src.corpus));
  return cut(rowId, `/${path.basename(src.corpus)}`, raw, src.label);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-snippets-'));
  const only = new Set(process.argv.slice(2));
  const snippets: Snippet[] = [];
  if (only.size > 0) {
    const previous = (await import('./snippets.js').catch(() => ({ REAL_SNIPPETS: [] as Snippet[] }))).REAL_SNIPPETS;
    snippets.push(...previous.filter((p) => !only.has(p.row)));
  }
  const failures: string[] = [];
  try {
    for (const [rowId, sources] of Object.entries(SOURCES)) {
      if (only.size > 0 && !only.has(rowId)) continue;
      for (const src of sources) {
        const where = 'deb' in src ? src.deb : src.label;
        try {
          const s = 'deb' in src ? await fromDeb(rowId, src, work) : await fromCorpus(rowId, src);
          if (!s) throw new Error('no match');
          snippets.push(s);
          console.log(`${rowId.padEnd(18)} ${s.version.padEnd(12)} ${s.source}`);
        } catch (err) {
          failures.push(`${rowId} in ${where}: ${String(err)}`);
        }
      }
    }
  } finally {
    for (const img of images.values()) img.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const order = Object.keys(SOURCES);
  snippets.sort((a, b) => order.indexOf(a.row) - order.indexOf(b.row));
  const body = snippets
    .map((s) => `  {\n    row: '${s.row}',\n    version: '${s.version}',\n    path: '${s.path}',\n    source: '${s.source.replace(/'/g, "\\'")}',\n    bytes: '${escapeLatin1(Buffer.from(s.bytes, 'latin1'))}',\n  },`)
    .join('\n');
  const out = `// Generated by make-snippets.ts from real binaries (Debian packages and corpus images): the bytes around each
// classifier row's match, as they sit in .rodata. Do not edit by hand; rerun the generator.
import type { Snippet } from './snippet-types.js';

export const REAL_SNIPPETS: readonly Snippet[] = [
${body}
];
`;
  fs.writeFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'snippets.ts'), out);
  console.log(`${snippets.length} snippets; ${LITERAL_SNIPPETS.length} literal ones kept in snippet-types.ts`);
  if (failures.length) {
    console.error(`no snippet for:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
