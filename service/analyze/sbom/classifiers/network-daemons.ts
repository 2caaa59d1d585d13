// Network services found on routers, gateways and sensors: DNS/DHCP, Wi-Fi, UPnP, file sharing, VPN, time,
// discovery, routing. Vendor builds link several of them into one binary, so most rows read any ELF file.
import { ANY_ELF, besideString, V23, V3, type ClassifierRow } from './types.js';

export const NETWORK_DAEMON_ROWS: readonly ClassifierRow[] = [
  {
    // "dnsmasq-2.90" (/usr/sbin/dnsmasq, dnsmasq-base 2.90 armhf); "dnsmasq-2.45" (TRENDnet TEW-733GR)
    id: 'dnsmasq',
    component: 'dnsmasq',
    fileGlobs: ANY_ELF,
    anchor: 'dnsmasq-',
    pattern: /\x00dnsmasq-(?<version>\d+\.\d+(?:\.\d+)?)(?:rc\d+|test\d+)?\x00/,
  },
  {
    // "hostapd v0.5.9" (TRENDnet TEW-733GR /usr/sbin/hostapd); Debian's 2.10 stores "2.10" beside
    // "hostapd v%s\nUser space daemon for IEEE 802.11 AP management" (hostapd 2.10 armhf).
    id: 'hostapd',
    component: 'hostapd',
    fileGlobs: ANY_ELF,
    anchor: 'hostapd v',
    pattern: /\x00hostapd v(?<version>\d+\.\d+(?:\.\d+)?)(?:-devel)?[\x00\n]|\x00(?<version_beside>\d+\.\d+(?:\.\d+)?)\x00+hostapd v%s\n/,
  },
  {
    // "wpa_supplicant v2.10" (/sbin/wpa_supplicant, wpasupplicant 2.10 armhf)
    id: 'wpa_supplicant',
    component: 'wpa_supplicant',
    fileGlobs: ANY_ELF,
    anchor: 'wpa_supplicant v',
    pattern: /\x00wpa_supplicant v(?<version>\d+\.\d+(?:\.\d+)?)(?:-devel)?[\x00\n]|\x00(?<version_beside>\d+\.\d+(?:\.\d+)?)\x00+wpa_supplicant v%s\n/,
  },
  {
    // "Server: Debian/%s UPnP/1.1 MiniUPnPd/2.3.1", "miniupnpd 2.3.1 Dec 21 2022" (miniupnpd-iptables 2.3.1)
    id: 'miniupnpd',
    component: 'miniupnpd',
    fileGlobs: ANY_ELF,
    anchor: 'MiniUPnPd/',
    pattern: /UPnP\/\d\.\d MiniUPnPd\/(?<version>\d+\.\d+(?:\.\d+)?)[\x00\r]/,
  },
  {
    // "%s/%s, UPnP/1.0, Portable SDK for UPnP devices/1.8.4" (libupnp.so.13, libupnp13 1.8.4 armhf)
    id: 'libupnp',
    component: 'libupnp',
    fileGlobs: ANY_ELF,
    anchor: 'Portable SDK for UPnP devices/',
    pattern: /Portable SDK for UPnP devices\/(?<version>\d+\.\d+\.\d+)/,
  },
  {
    // "4.17.12-Debian\0\0Samba version: %s\n" (/usr/sbin/samba, samba 4.17.12 armhf)
    id: 'samba',
    component: 'samba',
    fileGlobs: ANY_ELF,
    anchor: 'Samba version',
    pattern: /\x00(?<version>[34]\.\d+\.\d+[a-z]?)(?:-[\w.+~]+)?\x00+Samba version[: ]/,
  },
  {
    // "vsftpd: version 3.0.3", "(vsFTPd 3.0.3)" (/usr/sbin/vsftpd, vsftpd 3.0.3 armhf)
    id: 'vsftpd',
    component: 'vsftpd',
    fileGlobs: ANY_ELF,
    anchor: 'vsftpd: version ',
    pattern: /vsftpd: version (?<version>\d+\.\d+\.\d+)[\x00\n]/,
  },
  {
    // "ProFTPD Version 1.3.8", "ProFTPD 1.3.8 standalone mode SHUTDOWN" (/usr/sbin/proftpd, proftpd-core 1.3.8)
    id: 'proftpd',
    component: 'proftpd',
    fileGlobs: ANY_ELF,
    anchor: 'ProFTPD ',
    pattern: /ProFTPD (?:Version )?(?<version>1\.\d+\.\d+[a-z]?)(?:rc\d+)?[\x00 ]/,
  },
  {
    // "pure-ftpd v1.0.50 [privsep]" (/usr/sbin/pure-ftpd, pure-ftpd 1.0.50 armhf)
    id: 'pure-ftpd',
    component: 'pure-ftpd',
    fileGlobs: ANY_ELF,
    anchor: 'pure-ftpd v',
    pattern: /pure-ftpd v(?<version>\d+\.\d+\.\d+) \[/,
  },
  {
    // "init_usm\0\0\0\05.9.3\0\0\0container.c" (libnetsnmp.so.40, libsnmp40 5.9.3 armhf) and
    // "usm_get_user\0...\05.9.3\0\0\0container.c" (same, mipsel): the literal netsnmp_get_version() returns,
    // always just before container.c's file name. The agent's "NET-SNMP version:  %s" is a format string.
    id: 'net-snmp',
    component: 'net-snmp',
    fileGlobs: ANY_ELF,
    anchor: '\0container.c\0',
    pattern: /(?<![\x20-\x7e])(?<version>5\.\d+(?:\.\d+){0,2})\x00+container\.c\x00/,
  },
  {
    // "2.0.11\0\0mosquitto version %s\n\n" (/usr/sbin/mosquitto, mosquitto 2.0.11 armhf)
    id: 'mosquitto',
    component: 'mosquitto',
    fileGlobs: ANY_ELF,
    anchor: 'mosquitto version %s',
    pattern: besideString('mosquitto version %s', V3),
  },
  {
    // "OpenVPN 2.6.14 arm-unknown-linux-gnueabihf [SSL (OpenSSL)] [LZO] ..." (/usr/sbin/openvpn 2.6.14 armhf)
    id: 'openvpn',
    component: 'openvpn',
    fileGlobs: ANY_ELF,
    anchor: 'OpenVPN ',
    pattern: /\x00OpenVPN (?<version>\d+\.\d+(?:\.\d+|_(?:beta|rc)\d+)?) [\w-]+ \[/,
  },
  {
    // "Starting IKE charon daemon (strongSwan 5.9.8, %s %s, %s)" (/usr/lib/ipsec/charon, strongswan 5.9.8)
    id: 'strongswan',
    component: 'strongswan',
    fileGlobs: ANY_ELF,
    anchor: '(strongSwan ',
    pattern: /\(strongSwan (?<version>\d+\.\d+\.\d+)(?:dr\d+|rc\d+)?, /,
  },
  {
    // "ntpd ntpsec-%s" with "1.2.2" stored before it (/usr/sbin/ntpd, ntpsec 1.2.2 armhf)
    id: 'ntpsec',
    component: 'ntpsec',
    fileGlobs: ANY_ELF,
    anchor: 'ntpsec-%s',
    pattern: /\x00(?<version>1\.\d+\.\d+)\x00+ntpd ntpsec-%s/,
  },
  {
    // "ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)" — the Version[] literal of ntp's version.c
    // (ntp 4.2.x builds; Debian replaced ntp with ntpsec in bookworm).
    id: 'ntp',
    component: 'ntp',
    fileGlobs: ANY_ELF,
    anchor: '@1.',
    before: 40,
    pattern: /\x00ntp[a-z]* (?<version>4\.\d+\.\d+(?:p\d+)?)@1\.\d+(?:-o)? /,
  },
  {
    // "4.3\0chronyd (chrony) version %s (%s)\n" (/usr/sbin/chronyd, chrony 4.3 armhf)
    id: 'chrony',
    component: 'chrony',
    fileGlobs: ANY_ELF,
    anchor: ' (chrony) version %s',
    pattern: /\x00(?<version>\d+\.\d+(?:\.\d+)?(?:-pre\d+)?)\x00+chrony[cd] \(chrony\) version %s/,
  },
  {
    // "avahi 0.8" (/usr/sbin/avahi-daemon, avahi-daemon 0.8 armhf)
    id: 'avahi',
    component: 'avahi',
    fileGlobs: ANY_ELF,
    anchor: 'avahi ',
    pattern: /\x00avahi (?<version>0\.\d+(?:\.\d+)?)\x00/,
  },
  {
    // "libdbus 1.14.10" (libdbus-1.so.3, libdbus-1-3 1.14.10 armhf)
    id: 'dbus',
    component: 'dbus',
    fileGlobs: ANY_ELF,
    anchor: 'libdbus ',
    pattern: /\x00libdbus (?<version>1\.\d+\.\d+)\x00/,
  },
  {
    // "4.4.3-P1" beside "dhclient.c" (/sbin/dhclient, isc-dhcp-client 4.4.3-P1 armhf)
    id: 'isc-dhcp',
    component: 'isc-dhcp',
    fileGlobs: ANY_ELF,
    anchor: 'dhclient.c',
    pattern: /\x00dhclient\.c\x00+(?<version>4\.\d+\.\d+(?:-P\d+)?)\x00/,
    normalize: (v) => v,
  },
  {
    // "dhcpcd-9.4.1 starting", "dhcpcd 9.4.1" (/usr/sbin/dhcpcd, dhcpcd-base 9.4.1 armhf)
    id: 'dhcpcd',
    component: 'dhcpcd',
    fileGlobs: ANY_ELF,
    anchor: 'dhcpcd-',
    pattern: /\x00dhcpcd-(?<version>\d+\.\d+\.\d+) starting/,
  },
  {
    // "2.4.9\0\0\0pppd %s started by %s, uid %d" (/usr/sbin/pppd, ppp 2.4.9 armhf); "pppd %s started by %s,
    // uid %d\0\0\02.4.5" (TP-Link MT7628 /usr/sbin/pppd)
    id: 'ppp',
    component: 'ppp',
    fileGlobs: ANY_ELF,
    anchor: 'pppd %s started by',
    pattern: besideString('pppd %s started by', V3),
  },
  {
    // "xl2tpd version xl2tpd-1.3.18 started on %s PID:%d" (xl2tpd 1.3.18 armhf); "xl2tpd-1.1.12" (TP-Link)
    id: 'xl2tpd',
    component: 'xl2tpd',
    fileGlobs: ANY_ELF,
    anchor: 'xl2tpd-',
    pattern: /\x00(?:xl2tpd version )?xl2tpd-(?<version>\d+\.\d+\.\d+)[\x00 ]/,
  },
  {
    // "2.19\0\0\0\0Version: %s\n\n" (/usr/sbin/radvd, radvd 2.19 armhf); "Version: %s\n\n\0\0\01.5" (TP-Link)
    id: 'radvd',
    component: 'radvd',
    fileGlobs: ['**/radvd*'],
    anchor: 'Version: %s\n\n',
    pattern: besideString('Version: %s\n\n', V23),
  },
  {
    // "lldpd 1.0.16 starting..." (/usr/sbin/lldpd, lldpd 1.0.16 armhf)
    id: 'lldpd',
    component: 'lldpd',
    fileGlobs: ANY_ELF,
    anchor: 'lldpd ',
    pattern: /\x00lldpd (?<version>\d+\.\d+\.\d+) starting/,
  },
  {
    // "Keepalived v2.2.7 (01/16,2022)" (/usr/sbin/keepalived, keepalived 2.2.7 armhf)
    id: 'keepalived',
    component: 'keepalived',
    fileGlobs: ANY_ELF,
    anchor: 'Keepalived v',
    pattern: /Keepalived v(?<version>\d+\.\d+\.\d+) \(/,
  },
  {
    // "unbound 1.17.1" (/usr/sbin/unbound, unbound 1.17.1 armhf)
    id: 'unbound',
    component: 'unbound',
    fileGlobs: ANY_ELF,
    anchor: 'unbound ',
    pattern: /\x00unbound (?<version>1\.\d+\.\d+)\x00/,
  },
  {
    // "named version: BIND 9.18.49-1~deb12u1-Debian <>" (/usr/sbin/named, bind9 9.18.49 armhf)
    id: 'bind',
    component: 'bind',
    fileGlobs: ANY_ELF,
    anchor: 'BIND 9.',
    pattern: /\x00(?:named version: )?BIND (?<version>9\.\d+\.\d+(?:-P\d+)?)(?:-[\w.+~-]+)?[\x00 ]/,
  },
  {
    // "%s version 4.99.3\n" (/usr/bin/tcpdump, tcpdump 4.99.3 armhf)
    id: 'tcpdump',
    component: 'tcpdump',
    fileGlobs: ['**/tcpdump*'],
    anchor: '%s version ',
    pattern: /\x00%s version (?<version>4\.\d+\.\d+)\n/,
  },
  {
    // "libpcap version 1.10.3 (with TPACKET_V3)" (libpcap.so.1.10.3, libpcap0.8 1.10.3 armhf)
    id: 'libpcap',
    component: 'libpcap',
    fileGlobs: ANY_ELF,
    anchor: 'libpcap version ',
    pattern: /\x00libpcap version (?<version>\d+\.\d+\.\d+)/,
  },
  {
    // "Hello, this is FRRouting (version 8.4.4)." (libfrr.so.0, frr 8.4.4 armhf)
    id: 'frr',
    component: 'frr',
    fileGlobs: ANY_ELF,
    anchor: 'Hello, this is FRRouting (version ',
    pattern: /Hello, this is FRRouting \(version (?<version>\d+\.\d+(?:\.\d+)?)/,
  },
  {
    // "Hello, this is Quagga (version 0.99.24.1)." — lib/command.c joins QUAGGA_PROGNAME and QUAGGA_VERSION at
    // compile time into this one literal of libzebra.so (quagga 0.99.x, Debian until buster).
    id: 'quagga',
    component: 'quagga',
    fileGlobs: ANY_ELF,
    anchor: 'Hello, this is Quagga (version ',
    pattern: /Hello, this is Quagga \(version (?<version>\d+\.\d+\.\d+(?:\.\d+)?)\)/,
  },
  {
    // "ebtables v2.0.11 (December 2011)" (libebtc.so, ebtables 2.0.11 armhf); "ebtables v2.0.6 (November 2003)"
    // (ZyXEL P-663H-51 /bin/ebtables)
    id: 'ebtables',
    component: 'ebtables',
    fileGlobs: ANY_ELF,
    anchor: 'ebtables v',
    pattern: /ebtables v(?<version>\d+\.\d+\.\d+)(?:-\d+)? (?:\(legacy\) )?\([A-Z][a-z]+ \d{4}\)/,
  },
];
