// UBI images (ubinize output, raw NAND partition dumps): PEBs with erase-counter and volume-ID headers. Opened
// as a tree of its volumes, one file per volume holding the volume's LEBs in order (read on demand), so the
// engine carves each again: a UBIFS volume goes to the ubifs handler, a squashfs in a static volume to the
// squashfs handler. PEB size and min I/O come from the image itself. Parsing lives in ../ubifs/.
import { ErrorCodes } from '../../errors.js';
import { magic, type Handler } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { detectGeometry, LAYOUT_VOLUME_ID, MAX_VOLUMES, VID_STATIC, type VtblRecord } from '../ubifs/ubi-headers.js';
import { readVolumeTable, scanPebs, UbiVolumeSource, volumeLayout, type LebCopy } from '../ubifs/ubi-volume.js';

/** A volume name usable as a file name: the tree normalises traversal, this keeps names unique and non-empty. */
function volumeName(name: string, volId: number, used: Set<string>): string {
  let n = name.replace(/\0/g, '').trim() || `vol${volId}`;
  if (used.has(n)) n = `${n}-vol${volId}`;
  used.add(n);
  return n;
}

export const ubiHandler: Handler = {
  name: 'ubi',
  kind: 'filesystem',
  magics: [magic('UBI#')],

  identify(src, start) {
    const g = detectGeometry(src, start);
    if (!g || g.pebCount === 0) return null;
    const end = Math.min(src.size, start + g.pebCount * g.pebSize);
    return {
      start,
      end,
      meta: { pebSize: g.pebSize, minIoSize: g.vidHdrOffset, dataOffset: g.dataOffset, pebCount: g.pebCount, imageSeq: g.imageSeq, truncated: g.truncated },
    };
  },

  async open(src, chunk, ctx) {
    const img = src.subrange(chunk.start, chunk.end);
    const tree = new MemoryTree('ubi', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
    const g = detectGeometry(img, 0);
    if (!g) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'UBI headers no longer validate');
      return { kind: 'tree', tree };
    }
    if (g.truncated) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `last PEB cut short: image holds ${img.size} of ${g.pebCount * g.pebSize} bytes`);
    const scan = scanPebs(img, g, ctx.signal);
    if (scan.badEc || scan.badVid) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, `${scan.badEc} erase-counter and ${scan.badVid} volume-ID headers fail their CRC (those PEBs are skipped)`);
    }
    const vtbl = readVolumeTable(img, g, scan);
    if (!vtbl) ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'no volume table (layout volume) found; volumes are listed from their LEBs alone');
    else if (vtbl.damaged) ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'the first volume table copy is damaged; records failing their CRC are skipped');
    const lebSize = g.pebSize - g.dataOffset;
    const records = new Map<number, VtblRecord>((vtbl?.records ?? []).map((r) => [r.volId, r]));
    // User volumes have ids below 128; internal ones (layout volume, fastmap) start at the layout's id.
    const stray = [...scan.volumes.keys()].filter((id) => id >= MAX_VOLUMES && id < LAYOUT_VOLUME_ID);
    if (stray.length) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `VID headers name ${stray.length} volume ids past the 128 UBI allows; ignored`);
    const ids = new Set<number>([...records.keys(), ...[...scan.volumes.keys()].filter((id) => id < MAX_VOLUMES)]);
    const used = new Set<string>();
    for (const volId of [...ids].sort((a, b) => a - b)) {
      const rec = records.get(volId);
      const lebs = scan.volumes.get(volId) ?? new Map<number, LebCopy>();
      const firstVid = lebs.values().next().value?.vid;
      const name = volumeName(rec?.name ?? '', volId, used);
      if (!rec) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `volume ${volId} has LEBs but no volume table record`, name);
      if (rec?.updMarker) ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'volume update was interrupted (update marker set): contents are partial', name);
      const dataPad = rec?.dataPad ?? firstVid?.dataPad ?? 0;
      const usable = lebSize - (dataPad < lebSize ? dataPad : 0);
      const isStatic = (rec?.volType ?? firstVid?.volType) === VID_STATIC;
      // No volume has more LEBs than the flash has PEBs: a larger LEB number is a damaged header.
      let maxLnum = -1;
      for (const lnum of lebs.keys()) {
        if (lnum < g.pebCount) maxLnum = Math.max(maxLnum, lnum);
        else {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `a VID header names LEB ${lnum}, past the ${g.pebCount} PEBs of the image; ignored`, name);
          lebs.delete(lnum);
        }
      }
      // A volume cannot reserve more PEBs than the image has; a hostile count must not size the volume.
      const declared = isStatic ? (firstVid?.usedEbs ?? 0) : (rec?.reservedPebs ?? 0);
      const lebCount = Math.max(Math.min(declared, g.pebCount), isStatic ? 0 : maxLnum + 1);
      const layout = volumeLayout(lebs, usable, lebCount, isStatic);
      if (layout.missing) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `static volume lacks ${layout.missing} of its ${lebCount} LEBs (read as 0xFF)`, name);
      const source = new UbiVolumeSource(img, g.pebSize, g.dataOffset, layout.pebs, layout.lens);
      tree.add({ path: name, type: 'file', mode: 0o644, size: source.size, source: () => source });
    }
    return { kind: 'tree', tree };
  },
};
