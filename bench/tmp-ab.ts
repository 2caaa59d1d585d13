import { readFileSync } from 'node:fs';
import { LzmaDecoder as NewDec } from '../service/unpack/codecs/lzma-decoder.js';
import { LzmaDecoder as OldDec } from './tmp-old-decoder.js';
import { LzWindow } from '../service/unpack/codecs/lz-window.js';
import { OutputCollector } from '../service/unpack/codecs/codec.js';
const c = readFileSync('/tmp/fw/mix20.lzma');
function run(D: any): number {
  const out = new OutputCollector({ maxOutput: 1 << 30, onOutput: () => true });
  const win = new LzWindow(1 << 23, out, 1 << 30);
  const d = new D(win);
  d.setProps(3, 0, 2); d.resetState(); d.initRange(c, 13, c.length);
  const u = process.cpuUsage();
  d.decode(1 << 30, false);
  const t = process.cpuUsage(u);
  return win.produced / 1e6 / ((t.user + t.system) / 1e6);
}
for (let i = 0; i < 5; i++) console.log('old', run(OldDec).toFixed(1), 'new', run(NewDec).toFixed(1));
