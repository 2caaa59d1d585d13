import type { IdentityRow } from '../identity-row.js';

// Network daemons and clients that embedded Linux images ship. Dropbear is "dropbear_ssh" at NVD; curl's
// library CVEs are filed under libcurl as well as curl.
export const NETWORK_ROWS: readonly IdentityRow[] = [
  {
    name: 'curl',
    kind: 'application',
    cpe: [['haxx', 'curl'], ['haxx', 'libcurl']],
    packages: ['curl', 'libcurl', 'libcurl4', 'libcurl3', 'libcurl3-gnutls', 'libcurl4t64', 'libcurl3t64-gnutls', 'libcurl-gnutls'],
  },
  { name: 'wget', kind: 'application', cpe: [['gnu', 'wget']], packages: ['wget', 'wget-ssl', 'wget-nossl'] },
  {
    name: 'dropbear',
    kind: 'application',
    cpe: [['dropbear_ssh_project', 'dropbear_ssh']],
    packages: ['dropbear', 'dropbear-bin', 'dropbear-run', 'dropbearmulti'],
  },
  {
    name: 'openssh',
    kind: 'application',
    cpe: [['openbsd', 'openssh']],
    packages: ['openssh', 'openssh-server', 'openssh-client', 'openssh-sftp-server', 'openssh-keygen', 'openssh-server-pam'],
  },
  {
    name: 'dnsmasq',
    kind: 'application',
    cpe: [['thekelleys', 'dnsmasq']],
    packages: ['dnsmasq', 'dnsmasq-base', 'dnsmasq-full', 'dnsmasq-dhcpv6'],
  },
  { name: 'hostapd', kind: 'application', cpe: [['w1.fi', 'hostapd']], packages: ['hostapd'] },
  { name: 'wpa_supplicant', kind: 'application', cpe: [['w1.fi', 'wpa_supplicant']], packages: ['wpasupplicant', 'wpa-supplicant', 'wpa_supplicant'] },
  { name: 'lighttpd', kind: 'application', cpe: [['lighttpd', 'lighttpd']], packages: ['lighttpd'] },
  {
    name: 'nginx',
    kind: 'application',
    cpe: [['f5', 'nginx'], ['nginx', 'nginx']],
    packages: ['nginx', 'nginx-core', 'nginx-light', 'nginx-full', 'nginx-ssl'],
  },
  {
    name: 'miniupnpd',
    kind: 'application',
    cpe: [['miniupnp_project', 'miniupnpd']],
    packages: ['miniupnpd', 'miniupnpd-iptables', 'miniupnpd-nftables'],
  },
  { name: 'iptables', kind: 'application', cpe: [['netfilter', 'iptables']], packages: ['iptables', 'iptables-nft', 'iptables-legacy', 'iptables-zz-legacy'] },
  {
    name: 'ppp',
    kind: 'application',
    cpe: [['point-to-point_protocol_project', 'point-to-point_protocol']],
    packages: ['ppp', 'ppp-mod-pppoe', 'pppd'],
  },
  {
    name: 'openvpn',
    kind: 'application',
    cpe: [['openvpn', 'openvpn']],
    packages: ['openvpn', 'openvpn-openssl', 'openvpn-mbedtls', 'openvpn-wolfssl'],
  },
  { name: 'samba', kind: 'application', cpe: [['samba', 'samba']], packages: ['samba', 'samba4-server', 'samba36-server', 'samba4-libs'] },
  { name: 'avahi', kind: 'application', cpe: [['avahi', 'avahi']], packages: ['avahi-daemon', 'avahi', 'libavahi-common3', 'libavahi-client3'] },
  { name: 'net-snmp', kind: 'application', cpe: [['net-snmp', 'net-snmp']], packages: ['snmpd', 'snmp', 'net-snmp', 'libsnmp40', 'libnetsnmp'] },
  { name: 'ntp', kind: 'application', cpe: [['ntp', 'ntp']], packages: ['ntp', 'ntpd', 'ntpdate'] },
  { name: 'chrony', kind: 'application', cpe: [['tuxfamily', 'chrony']], packages: ['chrony'] },
  {
    name: 'mosquitto',
    kind: 'application',
    cpe: [['eclipse', 'mosquitto']],
    packages: ['mosquitto', 'mosquitto-ssl', 'mosquitto-nossl', 'libmosquitto1', 'libmosquitto'],
  },
  { name: 'tcpdump', kind: 'application', cpe: [['tcpdump', 'tcpdump']], packages: ['tcpdump', 'tcpdump-mini'] },
  { name: 'libpcap', kind: 'library', cpe: [['tcpdump', 'libpcap']], packages: ['libpcap', 'libpcap0.8', 'libpcap0.8t64', 'libpcap1'] },
  { name: 'bind', kind: 'application', cpe: [['isc', 'bind']], packages: ['bind9', 'bind', 'bind-server', 'bind-libs'] },
  { name: 'isc-dhcp', kind: 'application', cpe: [['isc', 'dhcp']], packages: ['isc-dhcp-client', 'isc-dhcp-server', 'isc-dhcp-common'] },
];
