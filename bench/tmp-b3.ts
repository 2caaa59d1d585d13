import { readFileSync } from 'node:fs';
import { decodeLzmaAlone } from '../service/unpack/codecs/lzma.js';
import { decodeXz } from '../service/unpack/codecs/xz.js';
const which = process.argv[2] ?? 'lzma';
const c = readFileSync(which === 'lzma' ? '/tmp/fw/mix20.lzma' : '/tmp/fw/mix20.xz');
const dec = which === 'lzma' ? decodeLzmaAlone : decodeXz;
for (let i = 0; i < 6; i++) {
  const u = process.cpuUsage();
  const r = dec(c, { maxOutput: 1 << 30 });
  const d = process.cpuUsage(u);
  console.log(which, r.data.length, (r.data.length / 1e6 / ((d.user + d.system) / 1e6)).toFixed(1), 'MB/s cpu');
}
