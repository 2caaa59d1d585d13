// Entry point of an analysis child process (forked by child-runner.ts). One image per process: a native crash,
// an out-of-memory or a hang in hostile input kills this process alone, never the daemon.
import { analyzeImage } from '../analyze/pipeline.js';
import { errorCode, errorMessage } from '../errors.js';
import type { ChildMessage, RunMessage } from './ipc.js';

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

process.on('uncaughtException', (err) => {
  void send({ type: 'error', code: errorCode(err), message: `analysis process failed: ${errorMessage(err)}` }).finally(() =>
    process.exit(70),
  );
});

// The parent going away (daemon killed) must not leave an orphan analysis running.
process.on('disconnect', () => process.exit(0));

process.once('message', (raw) => {
  const msg = raw as RunMessage;
  if (msg?.type !== 'run') {
    void send({ type: 'error', code: 'FW_ERR_INTERNAL', message: 'unexpected message' }).finally(() => process.exit(64));
    return;
  }
  let lastSent = 0;
  analyzeImage({
    imagePath: msg.job.imagePath,
    fileName: msg.job.fileName,
    sha256: msg.job.sha256,
    limits: msg.options.limits,
    analyzerTimeoutMs: msg.options.analyzerTimeoutMs,
    onProgress: (stage, fraction, message) => {
      // Throttle: progress callbacks can fire per file; the feed needs a few updates a second at most.
      const now = Date.now();
      if (now - lastSent < 200 && fraction < 1) return;
      lastSent = now;
      void send({ type: 'progress', stage, fraction, message });
    },
  })
    .then((report) => send({ type: 'report', report }))
    .then(() => process.exit(0))
    .catch((err: unknown) =>
      send({ type: 'error', code: errorCode(err), message: errorMessage(err) }).finally(() => process.exit(65)),
    );
});
