// Web servers and proxies. Their Server: header text is a compiled-in literal.
// GoAhead ("GoAhead-Webs", "GoAhead-http") and OpenWrt's uhttpd carry no version string at all, so no row
// can give them a version; they are left to the package databases.
import { ANY_ELF, type ClassifierRow } from './types.js';

export const WEB_SERVER_ROWS: readonly ClassifierRow[] = [
  {
    // "lighttpd/1.4.69 (ssl) - a light and fast webserver", "server started (lighttpd/1.4.69)"
    // (/usr/sbin/lighttpd, lighttpd 1.4.69 armhf)
    id: 'lighttpd',
    component: 'lighttpd',
    fileGlobs: ['**/lighttpd*', '**/mod_*.so'],
    anchor: 'lighttpd/',
    pattern: /lighttpd\/(?<version>\d+\.\d+\.\d+)[\x00 )]/,
  },
  {
    // "nginx version: nginx/1.22.1", "<hr><center>nginx/1.22.1</center>" (/usr/sbin/nginx, nginx 1.22.1 armhf)
    id: 'nginx',
    component: 'nginx',
    fileGlobs: ['**/nginx*'],
    anchor: 'nginx/',
    pattern: /nginx version: nginx\/(?<version>\d+\.\d+\.\d+)|<center>nginx\/(?<version_page>\d+\.\d+\.\d+)<\/center>/,
  },
  {
    // "Apache/2.4.68 (Debian)" (/usr/sbin/apache2, apache2-bin 2.4.68 armhf)
    id: 'apache-httpd',
    component: 'apache-httpd',
    fileGlobs: ['**/apache2', '**/httpd', '**/apache'],
    anchor: 'Apache/',
    pattern: /\x00Apache\/(?<version>2\.\d+\.\d+)[\x00 ]/,
  },
  {
    // "mini_httpd/1.30 26Oct2018" (/usr/sbin/mini_httpd, mini-httpd 1.30 armhf)
    id: 'mini_httpd',
    component: 'mini_httpd',
    fileGlobs: ANY_ELF,
    anchor: 'mini_httpd/',
    pattern: /mini_httpd\/(?<version>\d+\.\d+[a-z]?) \d{1,2}[A-Z][a-z]{2}\d{4}/,
  },
  {
    // "thttpd/2.25b 29dec2003" — SERVER_SOFTWARE of thttpd's version.h, compiled in as one literal (thttpd left
    // Debian after bullseye; the string is the same one every thttpd binary serves as its Server: header).
    id: 'thttpd',
    component: 'thttpd',
    fileGlobs: ANY_ELF,
    anchor: 'thttpd/',
    pattern: /thttpd\/(?<version>\d+\.\d+[a-z]?) \d{1,2}[a-z]{3}\d{4}/i,
  },
  {
    // "Boa/0.94.14rc21" — SERVER_VERSION of boa's defines.h, the Server: header of Realtek SDK routers and
    // IP cameras (/bin/boa).
    id: 'boa',
    component: 'boa',
    fileGlobs: ANY_ELF,
    anchor: 'Boa/',
    pattern: /\x00Boa\/(?<version>0\.9\d\.\d+(?:rc\d+)?)\x00/,
  },
  {
    // " version 2.6.12-1+deb12u3, released 2025/10/03" (/usr/sbin/haproxy, haproxy 2.6.12 armhf)
    id: 'haproxy',
    component: 'haproxy',
    fileGlobs: ['**/haproxy*'],
    anchor: ', released 20',
    pattern: /version (?<version>\d+\.\d+(?:\.\d+|-dev\d+))(?:-[\w.+~]+)?, released 20\d\d/,
  },
  {
    // "Server: tinyproxy/1.11.1" (/usr/bin/tinyproxy, tinyproxy-bin 1.11.1 armhf)
    id: 'tinyproxy',
    component: 'tinyproxy',
    fileGlobs: ANY_ELF,
    anchor: 'tinyproxy/',
    pattern: /(?:Server|Proxy-agent): tinyproxy\/(?<version>\d+\.\d+\.\d+)/,
  },
  {
    // "stunnel 5.68 on arm-unknown-linux-gnueabihf platform" (/usr/bin/stunnel4, stunnel4 5.68 armhf)
    id: 'stunnel',
    component: 'stunnel',
    fileGlobs: ANY_ELF,
    anchor: 'stunnel ',
    pattern: /\x00stunnel (?<version>\d+\.\d+) on /,
  },
];
