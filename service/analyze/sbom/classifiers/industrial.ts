// Industrial runtimes and protocol stacks found on OT devices.
import { ANY_ELF, type ClassifierRow } from './types.js';

export const INDUSTRIAL_ROWS: readonly ClassifierRow[] = [
  {
    // "LMB3.1.6" (libmodbus.so.5.1.0, libmodbus5 3.1.6 armhf): libmodbus_version, "LMB" + the release.
    id: 'libmodbus',
    component: 'libmodbus',
    fileGlobs: ANY_ELF,
    anchor: '\0LMB',
    pattern: /\x00LMB(?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "CODESYS Control V3.5.17.30 for ARM-64Bit" — the product and version banner the CODESYS Control runtime
    // (codesyscontrol.bin) logs at start-up and serves to the CODESYS IDE. No runtime binary is redistributable,
    // so the fixture is that banner text, not bytes read from a binary.
    id: 'codesys-control',
    component: 'codesys-control',
    fileGlobs: ['**/codesys*', '**/CODESYS*', '**/*.bin', '**/*control*'],
    anchor: 'CODESYS Control V',
    pattern: /CODESYS Control V(?<version>3\.5\.\d+\.\d+) for /,
  },
];
