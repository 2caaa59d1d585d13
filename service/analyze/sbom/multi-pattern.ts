// One pass over a file's bytes for every classifier at once: an Aho-Corasick automaton over the literal
// anchors of all rows, built once, with a dense transition table (states x 256) so the inner loop is one
// array load per byte. Only the anchors' hits leave the loop; each row's version regex then runs in a small
// window around its hit (binary-scan.ts). A regex pass per row would read a 50 MB tree once per row.

export interface AnchorHit {
  /** Index of the pattern in the list the matcher was built from. */
  pattern: number;
  /** Offset of the pattern's first byte in the scanned buffer. */
  start: number;
}

export class MultiPatternMatcher {
  private readonly delta: Uint16Array | Uint32Array;
  /** outputs of state s: outList[outStart[s] .. outStart[s + 1]) (own pattern plus those of its suffix links). */
  private readonly outStart: Uint32Array;
  private readonly outList: Uint32Array;
  private readonly lengths: Uint32Array;
  readonly patternCount: number;
  readonly stateCount: number;

  constructor(patterns: readonly Uint8Array[]) {
    this.patternCount = patterns.length;
    this.lengths = Uint32Array.from(patterns, (p) => p.length);
    // Trie first, with sparse children; the dense table is filled breadth-first afterwards.
    const children: Array<Map<number, number>> = [new Map()];
    const own: number[][] = [[]];
    patterns.forEach((p, index) => {
      if (p.length === 0) throw new RangeError(`pattern ${index} is empty`);
      let s = 0;
      for (const byte of p) {
        let next = children[s]!.get(byte);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push([]);
          children[s]!.set(byte, next);
        }
        s = next;
      }
      own[s]!.push(index);
    });
    const n = children.length;
    this.stateCount = n;
    const delta = n <= 0xffff ? new Uint16Array(n * 256) : new Uint32Array(n * 256);
    const fail = new Uint32Array(n);
    const outputs: number[][] = own.map((o) => [...o]);
    const queue: number[] = [];
    for (const [byte, next] of children[0]!) {
      delta[byte] = next;
      queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      const f = fail[s]!;
      outputs[s]!.push(...outputs[f]!);
      const base = s * 256;
      const fbase = f * 256;
      for (let byte = 0; byte < 256; byte++) {
        const next = children[s]!.get(byte);
        if (next === undefined) {
          delta[base + byte] = delta[fbase + byte]!;
        } else {
          delta[base + byte] = next;
          fail[next] = delta[fbase + byte]!;
          queue.push(next);
        }
      }
    }
    this.delta = delta;
    this.outStart = new Uint32Array(n + 1);
    const flat: number[] = [];
    for (let s = 0; s < n; s++) {
      this.outStart[s] = flat.length;
      flat.push(...outputs[s]!);
    }
    this.outStart[n] = flat.length;
    this.outList = Uint32Array.from(flat);
  }

  /**
   * Calls onHit for every occurrence of every pattern in buf, in order of the hit's end. Returning false from
   * onHit stops the scan.
   */
  scan(buf: Uint8Array, onHit: (pattern: number, start: number) => boolean | void): void {
    const delta = this.delta;
    const outStart = this.outStart;
    const len = buf.length;
    let s = 0;
    for (let i = 0; i < len; i++) {
      s = delta[s * 256 + buf[i]!]!;
      const a = outStart[s]!;
      const b = outStart[s + 1]!;
      if (a === b) continue;
      for (let k = a; k < b; k++) {
        const p = this.outList[k]!;
        if (onHit(p, i + 1 - this.lengths[p]!) === false) return;
      }
    }
  }

  /** Every hit, collected (tests and small inputs). */
  findAll(buf: Uint8Array): AnchorHit[] {
    const hits: AnchorHit[] = [];
    this.scan(buf, (pattern, start) => {
      hits.push({ pattern, start });
    });
    return hits;
  }
}
