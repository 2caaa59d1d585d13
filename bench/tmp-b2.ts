import { execFileSync } from 'node:child_process';
import { decodeLz4 } from '../service/unpack/codecs/lz4.js';
import { decodeLzop } from '../service/unpack/codecs/lzo.js';
import { decodeXz } from '../service/unpack/codecs/xz.js';
import { decodeLzmaAlone } from '../service/unpack/codecs/lzma.js';
import { decodeBzip2 } from '../service/unpack/codecs/bzip2.js';
import { mixed } from '../test/unpack/codecs/samples.js';
const data = mixed(20 << 20);
const which = process.argv[2] ?? 'lz4';
const table: Record<string, [string[], any]> = { lz4: [['lz4', '-q', '-c'], decodeLz4], lzop: [['lzop', '-c'], decodeLzop], xz: [['xz', '-c', '-6', '-T1'], decodeXz], lzma: [['xz', '--format=lzma', '-c'], decodeLzmaAlone], bzip2: [['bzip2', '-c', '-9'], decodeBzip2] };
const [cmd, dec] = table[which]!;
const c = execFileSync(cmd[0]!, cmd.slice(1), { input: data, maxBuffer: 1 << 30 });
for (let i = 0; i < 4; i++) {
  const u = process.cpuUsage();
  const r = dec(c, { maxOutput: 1 << 30 });
  const d = process.cpuUsage(u);
  console.log(which, r.data.equals(data), (data.length / 1e6 / ((d.user + d.system) / 1e6)).toFixed(1), 'MB/s cpu');
}
