// Every classifier table, listed by hand (DESIGN.md: no directory scanning). A family is one small file; adding
// a row means adding its real string, its row, and a snippet in test/analyze/sbom/classifiers/snippets.ts.
import { BOOTLOADER_ROWS } from './bootloader.js';
import { COMPRESSION_FILE_ROWS, COMPRESSION_ROWS } from './compression.js';
import { FIREWALL_ROWS } from './firewall.js';
import { INDUSTRIAL_ROWS } from './industrial.js';
import { KERNEL_FILE_ROWS, KERNEL_ROWS } from './kernel.js';
import { LIBC_FILE_ROWS, LIBC_ROWS } from './libc.js';
import { LIBRARY_FILE_ROWS, LIBRARY_ROWS } from './libraries.js';
import { NETWORK_DAEMON_ROWS } from './network-daemons.js';
import { SCRIPTING_ROWS } from './scripting.js';
import { SSH_ROWS } from './ssh.js';
import { SSL_ROWS } from './ssl.js';
import { SYSTEM_TOOL_ROWS } from './system-tools.js';
import type { ClassifierRow, FileNameRow } from './types.js';
import { WEB_SERVER_ROWS } from './web-servers.js';

export type { ClassifierRow, FileNameRow } from './types.js';

export const CLASSIFIER_ROWS: readonly ClassifierRow[] = [
  ...SSL_ROWS,
  ...SSH_ROWS,
  ...WEB_SERVER_ROWS,
  ...LIBC_ROWS,
  ...NETWORK_DAEMON_ROWS,
  ...FIREWALL_ROWS,
  ...COMPRESSION_ROWS,
  ...LIBRARY_ROWS,
  ...SCRIPTING_ROWS,
  ...SYSTEM_TOOL_ROWS,
  ...INDUSTRIAL_ROWS,
  ...KERNEL_ROWS,
  ...BOOTLOADER_ROWS,
];

export const FILE_NAME_ROWS: readonly FileNameRow[] = [
  ...LIBC_FILE_ROWS,
  ...COMPRESSION_FILE_ROWS,
  ...LIBRARY_FILE_ROWS,
  ...KERNEL_FILE_ROWS,
];
