// `firmwarden` command line: parses arguments and hands over to one command module. No logic lives here.
import { parseArgs } from 'node:util';
import { analyzeCommand, type OutputFormat } from './cli/analyze-command.js';
import { doctorCommand } from './cli/doctor-command.js';
import { ExitCode } from './cli/exit-codes.js';
import { ANALYZE_HELP, DOCTOR_HELP, MAIN_HELP, SERVE_HELP } from './cli/help.js';
import { serveCommand } from './cli/serve-command.js';
import { ErrorCodes, FirmwardenError, errorCode, errorMessage } from './errors.js';
import { version } from './paths.js';

const common = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(message: string): never {
  throw new FirmwardenError(ErrorCodes.CLI_USAGE, message);
}

/** parseArgs' own errors ("Unknown option '--x'") are usage errors: exit 2 with that message. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    return usage(errorMessage(err));
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${version}\n`);
    return ExitCode.OK;
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(MAIN_HELP);
    return command ? ExitCode.OK : ExitCode.USAGE;
  }
  switch (command) {
    case 'analyze': {
      const { values, positionals } = guard(() =>
        parseArgs({
          args: rest,
          allowPositionals: true,
          strict: true,
          options: {
            ...common,
            format: { type: 'string', short: 'f', default: 'json' },
            out: { type: 'string', short: 'o' },
            quiet: { type: 'boolean', short: 'q' },
            extract: { type: 'string', short: 'x' },
          },
        }),
      );
      if (values.help) return help(ANALYZE_HELP);
      if (positionals.length !== 1) usage('analyze takes exactly one image path (see firmwarden analyze --help)');
      await analyzeCommand({
        image: positionals[0]!,
        format: values.format as OutputFormat,
        out: values.out,
        config: values.config,
        dataDir: values['data-dir'],
        quiet: Boolean(values.quiet),
        extract: values.extract,
      });
      return ExitCode.OK;
    }
    case 'serve': {
      const { values, positionals } = guard(() => parseArgs({ args: rest, allowPositionals: true, strict: true, options: common }));
      if (values.help) return help(SERVE_HELP);
      if (positionals.length) usage(`serve takes no arguments (got "${positionals.join(' ')}")`);
      await serveCommand({ config: values.config, dataDir: values['data-dir'] });
      return -1; // keeps running; exits from its signal handlers
    }
    case 'doctor': {
      const { values } = guard(() => parseArgs({ args: rest, allowPositionals: true, strict: true, options: common }));
      if (values.help) return help(DOCTOR_HELP);
      return (await doctorCommand({ config: values.config, dataDir: values['data-dir'] })) ? ExitCode.OK : ExitCode.FAILURE;
    }
    default:
      return usage(`unknown command "${command}" (see firmwarden --help)`);
  }
}

function help(text: string): number {
  process.stdout.write(text);
  return ExitCode.OK;
}

export function exitCodeFor(err: unknown): number {
  const code = errorCode(err);
  if (code === ErrorCodes.CLI_USAGE) return ExitCode.USAGE;
  if (code.startsWith('FW_ERR_CONFIG')) return ExitCode.CONFIG;
  if (code.startsWith('FW_ERR_INPUT')) return ExitCode.INPUT;
  return ExitCode.FAILURE;
}

export async function run(argv: string[]): Promise<void> {
  try {
    const code = await main(argv);
    if (code >= 0) process.exitCode = code;
  } catch (err) {
    process.stderr.write(`firmwarden: ${errorMessage(err)}\n`);
    if (errorCode(err) === 'FW_ERR_INTERNAL' && err instanceof Error && process.env.FIRMWARDEN_DEBUG) {
      process.stderr.write(`${err.stack}\n`);
    }
    process.exitCode = exitCodeFor(err);
  }
}
