import { loadConfig } from '../config/load-config.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../log.js';
import { startDaemon } from '../main.js';
import { version } from '../paths.js';
import { createNotifier } from '../sd-notify.js';

export interface ServeArgs {
  config?: string | undefined;
  dataDir?: string | undefined;
}

export async function serveCommand(args: ServeArgs): Promise<void> {
  const { config, sources } = loadConfig({ configFile: args.config, overrides: { dataDir: args.dataDir } });
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  logger.info({ version, configSources: sources, node: process.version }, 'starting firmwarden');
  const notifier = createNotifier(process.env, {
    onError: (e) => logger.warn({ code: e.code, err: e.message }, 'systemd notification failed'),
  });

  process.on('uncaughtException', (err) => {
    logger.fatal({ err: errorMessage(err), stack: err.stack }, 'uncaught exception; exiting so systemd restarts us');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err: errorMessage(err) }, 'unhandled promise rejection; exiting so systemd restarts us');
    process.exit(1);
  });

  const daemon = await startDaemon(config, logger);
  logger.info({ url: daemon.url }, 'console ready');
  // The one line a person at a terminal needs; logs go to stderr, this goes to stdout.
  process.stdout.write(`Firmwarden ${version} console: ${daemon.url}\nDrop images into ${daemon.store.layout.root}/inbox to analyze them.\n`);

  await notifier.ready(`console at ${daemon.url}`);
  const stopWatchdog = config.systemd.watchdog ? notifier.startWatchdog(() => daemon.store.db.open) : () => {};

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'stopping');
    stopWatchdog();
    void notifier
      .stopping()
      .then(() => daemon.stop())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
