export const MAIN_HELP = `firmwarden — firmware analysis for OT sensor appliances

Usage:
  firmwarden analyze <image> [options]   analyze one image offline and print the report
  firmwarden serve [options]             run the daemon (console, API, collectors, job queue)
  firmwarden doctor [options]            check the configuration, data directory and environment
  firmwarden <command> --help            help for a command
  firmwarden --version                   print the version

Common options:
  --config FILE      configuration file (default /etc/firmwarden/config.yaml if it exists)
  --data-dir DIR     data directory (also FIRMWARDEN_DATA_DIR; default ./var)
`;

export const ANALYZE_HELP = `Usage: firmwarden analyze <image> [options]

Unpacks and analyzes one firmware image with the same pipeline the daemon uses, offline, and prints the report.

Options:
  --format FORMAT    json (default; the report contract), table (terminal summary),
                     cyclonedx (CycloneDX 1.6 JSON SBOM), spdx (SPDX 2.3 JSON SBOM)
  --out FILE         write the output to FILE (atomically) instead of standard output
  -x, --extract DIR  also write every extracted filesystem to DIR/<id>/ (confined to DIR: no '..', no
                     writing through symlinks; symlinks keep their original targets; devices are listed
                     in the report, not created)
  --config FILE      configuration file (unpack limits, analyzer timeouts)
  --data-dir DIR     data directory (holds the vulnerability database)
  -q, --quiet        no progress on standard error
  -h, --help         this help

Exit codes: 0 report produced (problems inside the image are errors in the report), 2 usage,
3 configuration error, 4 the input cannot be read (missing, a directory, permission denied).
`;

export const SERVE_HELP = `Usage: firmwarden serve [options]

Runs the daemon: the web console and REST API (default http://127.0.0.1:8765/), the watched folders
(default <data-dir>/inbox) and the analysis job queue. Under systemd it reports readiness (Type=notify)
and sends watchdog pings.

Options:
  --config FILE      configuration file (default /etc/firmwarden/config.yaml if it exists)
  --data-dir DIR     data directory (default ./var)
  -h, --help         this help
`;

export const DOCTOR_HELP = `Usage: firmwarden doctor [options]

Loads the configuration and reports where each layer came from, checks that the data directory is writable
and its database opens, and prints the Node.js version.

Options:
  --config FILE      configuration file
  --data-dir DIR     data directory
  -h, --help         this help
`;
