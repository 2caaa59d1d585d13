// The fixture shape of the classifier tests: bytes as they sit in a binary (latin1 text with \xNN escapes),
// the path the file had (rows are chosen by path), and where the bytes came from.

export interface Snippet {
  /** Classifier row id. */
  row: string;
  /** The version the row must report for these bytes. */
  version: string;
  path: string;
  /** Package, version, architecture and path (or corpus image and path) of the binary, and the offset. */
  source: string;
  bytes: string;
}

/**
 * Rows whose component is in no Debian release we can download and in no corpus image: the snippet is the
 * upstream source literal that every build compiles into .rodata, NUL-terminated as the compiler stores it.
 */
export const LITERAL_SNIPPETS: readonly Snippet[] = [
  {
    row: 'thttpd',
    version: '2.25b',
    path: '/usr/sbin/thttpd',
    source: 'thttpd 2.25b version.h SERVER_SOFTWARE "thttpd/2.25b 29dec2003"',
    bytes: '\x00\x00\x00\x00thttpd/2.25b 29dec2003\x00\x00\x00\x00%.80s - %m\x00',
  },
  {
    row: 'boa',
    version: '0.94.14rc21',
    path: '/bin/boa',
    source: 'boa 0.94.14rc21 src/defines.h SERVER_VERSION "Boa/0.94.14rc21"',
    bytes: '\x00\x00\x00\x00Boa/0.94.14rc21\x00CGI/1.1\x00\x00',
  },
  {
    row: 'quagga',
    version: '0.99.24.1',
    path: '/usr/lib/libzebra.so.0',
    source: 'quagga 0.99.24.1 lib/command.c "Hello, this is " QUAGGA_PROGNAME " (version " QUAGGA_VERSION ")."',
    bytes: '\x00\x00\x00\x00Hello, this is Quagga (version 0.99.24.1).\x00\x00\x00\x00',
  },
  {
    row: 'ntp',
    version: '4.2.8p15',
    path: '/usr/sbin/ntpd',
    source: 'ntp 4.2.8p15 version.c Version[] as mkver writes it',
    bytes: '\x00\x00\x00\x00ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)\x00\x00\x00',
  },
  {
    row: 'codesys-control',
    version: '3.5.17.30',
    path: '/opt/codesys/bin/codesyscontrol.bin',
    source: 'CODESYS Control for Linux SL start-up banner "CODESYS Control V3.5.17.30 for ARM-64Bit"',
    bytes: '\x00\x00CODESYS Control V3.5.17.30 for ARM-64Bit\x00\x00',
  },
];
