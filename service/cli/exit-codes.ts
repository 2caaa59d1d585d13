/** Exit codes of the firmwarden command, stable for scripts (sysexits-like). */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  CONFIG: 3,
  INPUT: 4,
} as const;
