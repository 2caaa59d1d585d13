// Shells and interpreters.
import { ANY_ELF, type ClassifierRow } from './types.js';

export const SCRIPTING_ROWS: readonly ClassifierRow[] = [
  {
    // "@(#)Bash version 5.2.15(1) release GNU" (/bin/bash, bash 5.2.15 armhf)
    id: 'bash',
    component: 'bash',
    fileGlobs: ANY_ELF,
    anchor: '@(#)Bash version ',
    pattern: /@\(#\)Bash version (?<version>\d+\.\d+(?:\.\d+)?)\(\d+\) /,
  },
  {
    // "$LuaVersion: Lua 5.3.6  Copyright (C) 1994-2020 Lua.org, PUC-Rio $" (liblua5.3.so.0, liblua5.3-0 5.3.6)
    // "$Lua: Lua 5.1.5 Copyright (C) 1994-2012 Lua.org, PUC-Rio $" (liblua5.1.so.0, liblua5.1-0 5.1.5)
    id: 'lua',
    component: 'lua',
    fileGlobs: ANY_ELF,
    anchor: 'Lua.org, PUC-Rio',
    before: 80,
    pattern: /\$Lua(?:Version)?: Lua (?<version>5\.\d+(?:\.\d+)?) {1,2}Copyright \(C\) \d{4}-\d{4} Lua\.org, PUC-Rio/,
  },
  {
    // "X-Powered-By: PHP/8.2.32" (/usr/bin/php8.2, php8.2-cli 8.2.32 armhf)
    id: 'php',
    component: 'php',
    fileGlobs: ANY_ELF,
    anchor: 'X-Powered-By: PHP/',
    pattern: /X-Powered-By: PHP\/(?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "3.11.2\0\0%.80s (%.80s) %.80s" — PY_VERSION beside Py_GetVersion()'s format (libpython3.11.so.1.0
    // and the static /usr/bin/python3.11, python3.11 3.11.2 armhf)
    id: 'python',
    component: 'python',
    fileGlobs: ANY_ELF,
    anchor: '%.80s (%.80s) %.80s',
    pattern: /\x00(?<version>[23]\.\d+\.\d+)(?:[abc+]\w*)?\x00+%\.80s \(%\.80s\) %\.80s/,
  },
  {
    // "This is perl 5, version 36, subversion 0 (%-p) built for ..." (/usr/bin/perl, perl-base 5.36.0 armhf)
    id: 'perl',
    component: 'perl',
    fileGlobs: ANY_ELF,
    anchor: 'This is perl ',
    pattern: /This is perl (?<major>5), version (?<minor>\d+), subversion (?<patch>\d+) \(/,
    fromGroups: (g) => `${g.major}.${g.minor}.${g.patch}`,
  },
  {
    // "ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [arm-linux-gnueabihf]" (libruby-3.1.so.3.1, ruby3.1)
    id: 'ruby',
    component: 'ruby',
    fileGlobs: ANY_ELF,
    anchor: 'ruby ',
    pattern: /\x00ruby (?<version>\d+\.\d+\.\d+)(?:p\d+)? \(\d{4}-\d\d-\d\d (?:revision|git|trunk)/,
  },
];
