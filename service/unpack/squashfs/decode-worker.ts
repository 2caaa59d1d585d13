// A worker thread of decode-pool.ts: decodes squashfs blocks with the same BlockDecoder the main thread uses,
// so vendor LZMA detection works the same way on both sides. Inputs and outputs travel as transferred buffers.
import { parentPort } from 'node:worker_threads';
import { FirmwardenError } from '../../errors.js';
import { BlockDecoder } from './compressors.js';
import type { WorkerRequest, WorkerReply } from './decode-pool.js';

const decoders = new Map<string, BlockDecoder>();

parentPort?.on('message', (m: WorkerRequest) => {
  const key = `${m.compression}:${m.legacy}:${m.dictSize}`;
  let d = decoders.get(key);
  if (!d) {
    d = new BlockDecoder(m.compression, m.legacy, m.dictSize);
    decoders.set(key, d);
  }
  let reply: WorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const out = d.decode(Buffer.from(m.input.buffer, m.input.byteOffset, m.input.byteLength), m.max, m.exact);
    // A fresh, exactly sized buffer: decoders may return views of larger or pooled memory.
    const data = new Uint8Array(out);
    transfer.push(data.buffer);
    reply = { id: m.id, data, variant: d.lastVariant };
  } catch (err) {
    reply = { id: m.id, error: { code: err instanceof FirmwardenError ? err.code : 'FW_ERR_UNPACK_MALFORMED', message: (err as Error).message } };
  }
  parentPort!.postMessage(reply, transfer);
});
