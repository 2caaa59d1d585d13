import { analyzeImage } from '../analyze/pipeline.js';
import { loadConfig } from '../config/load-config.js';
import { ErrorCodes, FirmwardenError } from '../errors.js';
import { toCycloneDx } from '../report/cyclonedx.js';
import type { Report } from '../report/report-types.js';
import { toSpdx } from '../report/spdx.js';
import { formatTable } from '../report/table-format.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { DEFAULT_UNPACK_LIMITS } from '../unpack/limits.js';

export const FORMATS = ['json', 'table', 'cyclonedx', 'spdx'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface AnalyzeArgs {
  image: string;
  format: OutputFormat;
  out?: string | undefined;
  config?: string | undefined;
  dataDir?: string | undefined;
  quiet: boolean;
  extract?: string | undefined;
}

export function renderReport(report: Report, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'table':
      return formatTable(report);
    case 'cyclonedx':
      return `${JSON.stringify(toCycloneDx(report), null, 2)}\n`;
    case 'spdx':
      return `${JSON.stringify(toSpdx(report), null, 2)}\n`;
  }
}

export async function analyzeCommand(args: AnalyzeArgs): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(args.format)) {
    throw new FirmwardenError(ErrorCodes.CLI_USAGE, `--format must be one of ${FORMATS.join(', ')} (got "${args.format}")`);
  }
  const { config } = loadConfig({ configFile: args.config, overrides: { dataDir: args.dataDir } });
  const showProgress = !args.quiet && process.stderr.isTTY;
  let lastStage = '';
  const report = await analyzeImage({
    imagePath: args.image,
    limits: { ...DEFAULT_UNPACK_LIMITS, ...config.unpack },
    analyzerTimeoutMs: config.analysis.analyzerTimeoutSeconds * 1000,
    ...(args.extract ? { extractTo: args.extract } : {}),
    onProgress: showProgress
      ? (stage, fraction) => {
          if (stage === lastStage && fraction < 1) return;
          lastStage = stage;
          process.stderr.write(`\r\x1b[K${Math.round(fraction * 100)}% ${stage}`);
          if (fraction >= 1) process.stderr.write('\r\x1b[K');
        }
      : undefined,
  });
  const text = renderReport(report, args.format);
  if (args.out) writeFileAtomic(args.out, text);
  else await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}
