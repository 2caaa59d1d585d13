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
  /** delta[(state << 8) | byte] = next state. Int32Array keeps the inner loop monomorphic. */
  private readonly delta: Int32Array;
  /** 1 when a state ends at least one pattern: the only branch the inner loop takes. */
  private readonly final: Uint8Array;
  /** outputs of state s: outList[outStart[s] .. outStart[s + 1]) (own patterns plus those of its suffix links). */
  private readonly outStart: Uint32Array;
  private readonly outList: Uint32Array;
  private readonly lengths: Uint32Array;
  readonly patternCount: number;
  readonly stateCount: number;

  constructor(patterns: readonly Uint8Array[]) {
    this.patternCount = patterns.length;
    this.lengths = Uint32Array.from(patterns, (p) => p.length);
    // The trie is built straight into the dense table (-1 = no edge yet), then completed breadth-first.
    let capacity = 1 + patterns.reduce((n, p) => n + p.length, 0);
    const delta = new Int32Array(capacity * 256).fill(-1);
    const own: number[][] = [[]];
    let states = 1;
    patterns.forEach((p, index) => {
      if (p.length === 0) throw new RangeError(`pattern ${index} is empty`);
      let s = 0;
      for (const byte of p) {
        let next = delta[(s << 8) | byte]!;
        if (next < 0) {
          next = states++;
          own.push([]);
          delta[(s << 8) | byte] = next;
        }
        s = next;
      }
      own[s]!.push(index);
    });
    capacity = states;
    const fail = new Int32Array(states);
    const outputs: number[][] = own.map((o) => [...o]);
    const queue = new Int32Array(states);
    let tail = 0;
    for (let byte = 0; byte < 256; byte++) {
      const next = delta[byte]!;
      if (next < 0) delta[byte] = 0;
      else queue[tail++] = next;
    }
    for (let head = 0; head < tail; head++) {
      const s = queue[head]!;
      const f = fail[s]!;
      if (outputs[f]!.length > 0) outputs[s]!.push(...outputs[f]!);
      const base = s << 8;
      const fbase = f << 8;
      for (let byte = 0; byte < 256; byte++) {
        const next = delta[base | byte]!;
        if (next < 0) {
          delta[base | byte] = delta[fbase | byte]!;
        } else {
          fail[next] = delta[fbase | byte]!;
          queue[tail++] = next;
        }
      }
    }
    this.delta = delta.slice(0, states * 256);
    this.stateCount = states;
    this.final = new Uint8Array(states);
    this.outStart = new Uint32Array(states + 1);
    const flat: number[] = [];
    for (let s = 0; s < states; s++) {
      this.outStart[s] = flat.length;
      if (outputs[s]!.length > 0) this.final[s] = 1;
      for (const o of outputs[s]!) flat.push(o);
    }
    this.outStart[states] = flat.length;
    this.outList = Uint32Array.from(flat);
  }

  /**
   * Calls onHit for every occurrence of every pattern in buf[from, to), in order of the hit's end. Returning
   * false from onHit stops the scan.
   */
  scan(buf: Uint8Array, onHit: (pattern: number, start: number) => boolean | void, from = 0, to = buf.length): void {
    const delta = this.delta;
    const final = this.final;
    const len = Math.min(to, buf.length);
    let s = 0;
    for (let i = from; i < len; i++) {
      s = delta[(s << 8) | buf[i]!]!;
      if (final[s] === 0) continue;
      const b = this.outStart[s + 1]!;
      for (let k = this.outStart[s]!; k < b; k++) {
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
