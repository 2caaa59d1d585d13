// False-positive samples, one or more per classifier family (FACT_core's habit): bytes that mention a component
// without being it. Each must give no detection of the listed components. Real ones say where they are from.
export interface FalsePositive {
  family: string;
  /** Components that must not be reported. */
  components: readonly string[];
  path: string;
  /** false: the bytes are not an ELF file (a script, a text file); true (default): prefixed with ELF magic. */
  elf?: boolean;
  note: string;
  bytes: string;
}

export const FALSE_POSITIVES: readonly FalsePositive[] = [
  {
    family: 'ssl',
    components: ['openssl'],
    path: '/usr/sbin/some-daemon',
    note: 'a requirement message, no release date after the version',
    bytes: '\x00\x00OpenSSL 1.0.0 or later required\x00OpenSSL %s\x00',
  },
  {
    family: 'ssl',
    components: ['openssl'],
    path: '/usr/sbin/hostapd',
    note: 'hostapd 2.10 armhf: links libcrypto.so.3 and names the header it was built with (OpenSSL 3.0.16)',
    bytes: '\x00libssl.so.3\x00libcrypto.so.3\x00libc.so.6\x00\x00\x00OpenSSL 3.0.16 11 Feb 2025\x00\x00',
  },
  {
    family: 'ssh',
    components: ['openssh', 'dropbear', 'libssh', 'libssh2'],
    path: '/usr/sbin/sshd',
    note: 'sshd 9.2p1 armhf: SSH_VERSION without the portable suffix, and compat patterns of other servers',
    bytes: '\x00\x00\x00\x00OpenSSH_9.2\x00%s, %s\n\x00OpenSSH_2.*,OpenSSH_3.0*,OpenSSH_3.1*\x00SSH-2.0-dropbear_%s\x00SSH-2.0-libssh%s\x00',
  },
  {
    family: 'web-servers',
    components: ['nginx', 'lighttpd', 'apache-httpd', 'boa', 'mini_httpd', 'thttpd'],
    path: '/usr/bin/scanner',
    note: 'a scanner signature table naming server banners: not the servers (nginx and apache rows read their own binaries only)',
    bytes: '\x00Server: nginx/1.18.0\x00Apache/2.4.6 (CentOS)\x00lighttpd/%s\x00Boa/%s\x00mini_httpd/%s %s\x00thttpd/%s\x00',
  },
  {
    family: 'libc',
    components: ['glibc', 'musl'],
    path: '/usr/bin/getconf',
    note: 'a format string and a mention without a release',
    bytes: '\x00GNU C Library %s release version %s\x00musl libc (%s)\nVersion %s\n\x00',
  },
  {
    family: 'network-daemons',
    components: ['dnsmasq', 'hostapd', 'wpa_supplicant', 'samba', 'mosquitto', 'ppp', 'chrony', 'avahi', 'bind'],
    path: '/usr/bin/webui',
    note: 'format strings and names of daemons without their release',
    bytes: '\x00dnsmasq-%s\x00hostapd v%s\x00wpa_supplicant v%s\x00Samba version: %s\x00mosquitto version %s\x00pppd %s started by %s, uid %d\x00avahi %s\x00BIND %s\x00',
  },
  {
    family: 'firewall',
    components: ['iptables', 'nftables', 'ipset'],
    path: '/usr/sbin/fw-helper',
    note: 'iptables-restore options without the version string beside them',
    bytes: '\x00\x00%s: line %u failed\n\x00\x00verbose\x00combine\x00help\x00\x00\x00\x00/proc/net/ip_tables_names\x00nftables\x00\x00ipset\x00\x00',
  },
  {
    family: 'compression',
    components: ['zlib', 'bzip2', 'xz', 'zstd'],
    path: '/usr/bin/unpacker',
    note: 'words around the versions without the copyright or date that make them a banner',
    bytes: '\x00inflate 1.2.11 failed\x00deflate %s Copyright %s\x00bzip2/libbzip2: internal error number %d.\x00xz (XZ Utils) %s\x00',
  },
  {
    family: 'libraries',
    components: ['sqlite', 'expat', 'pcre', 'libxml2', 'curl', 'libpng', 'ncurses', 'json-c'],
    path: '/usr/lib/libapp.so',
    note: 'bare versions not beside their library\'s own strings, and format strings',
    bytes: '\x00\x003.40.1\x00\x00expat_%s\x008.39\x00libpng version %s\x00curl %s (%s) %s\x00ncurses %s\x00\x00\x000.16\x00\x00json-c\x00',
  },
  {
    family: 'scripting',
    components: ['bash', 'lua', 'python', 'perl', 'php'],
    path: '/usr/bin/tool',
    note: 'names of interpreters without their version banners',
    bytes: '\x00/bin/bash\x00Lua 5.3\x00python3.11\x00This is perl %d\x00X-Powered-By: PHP/%s\x00',
  },
  {
    family: 'system-tools',
    components: ['busybox'],
    path: '/bin/busybox',
    elf: false,
    note: 'a shell script named like the binary and mentioning a BusyBox banner: not ELF, never read for strings',
    bytes: '#!/bin/sh\n# was BusyBox v1.19.2 (2023-11-19 18:34:13 PST)\nexec /bin/busybox.real "$@"\n',
  },
  {
    family: 'system-tools',
    components: ['busybox', 'util-linux', 'procps'],
    path: '/usr/bin/applet-list',
    note: 'mentions without the "(" that follows a BusyBox banner',
    bytes: '\x00BusyBox v%s\x00BusyBox is copyrighted by many authors\x00util-linux %s\x00procps-ng %s\x00',
  },
  {
    family: 'kernel',
    components: ['linux'],
    path: '/boot/vmlinux-tools.bin',
    note: 'format strings of a tool that prints the kernel version (busybox uname, /proc/version readers)',
    bytes: '\x00Linux version %s (%s@%s) (%s) %s\x00vermagic=%s\x00Linux version 2.6 or later required\x00',
  },
  {
    family: 'bootloader',
    components: ['u-boot'],
    path: '/boot/u-boot.bin',
    note: 'the image tool\'s banner (u-boot-tools mkimage) without a build date',
    bytes: '\x00U-Boot mkimage %s\x00U-Boot 2023.01\x00',
  },
  {
    family: 'industrial',
    components: ['codesys-control', 'libmodbus'],
    path: '/opt/codesys/bin/codesyscontrol.bin',
    note: 'product names without a four-part version',
    bytes: '\x00CODESYS Control V3\x00CODESYS Control for Linux SL\x00LMB%s\x00',
  },
];
