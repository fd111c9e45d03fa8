// Memos keyed by object identity (a stage, an instruction, a shell command, a
// model), kept on the key itself.
//
// Why not a module-level WeakMap: the WeakMap lives as long as the module, so
// V8 moves it (and its table) to the old generation, and a young-generation
// collection (a scavenge) keeps every young object such a table refers to,
// key and value alike, until the next full collection. Each lint fills the
// tables with its own stages, instructions and commands, so each scavenge
// copied and promoted the whole model of the lint in flight or just finished
// (measured on the 300-line benchmark Dockerfile: 410 KB of every model
// survived two scavenges after lint() had returned; scavenges took 6-10 ms and
// ran a full mark-compact every ~80 lints). Kept on the key, a memo dies with
// its key in the first scavenge after the lint: scavenge time 1.0 s -> 0.16 s
// over 1,000 lints, full collections 12 -> 2 (docs/robustness.md, bench/).

const BAG = Symbol('container-tuner.memo');
/** One key's memos, by memo id; `owner` tells a key's own bag from one it inherits. */
interface Bag {
  owner: object;
  values: unknown[];
}
let memos = 0;

/**
 * The part of WeakMap's interface the engine uses. Each key gets one
 * non-enumerable property (the same symbol for every memo, so keys keep few
 * hidden classes) holding its memos by id: invisible to spread, JSON,
 * Object.keys and equality in tests; a copy of a key is a new key. Keys that
 * cannot take a property (frozen, sealed, non-extensible) fall back to a
 * WeakMap.
 */
export class KeyMemo<K extends object, V> {
  private readonly id = memos++;
  private fallback: WeakMap<K, V> | undefined;

  private bag(key: K): Bag | undefined {
    const b = (key as { [BAG]?: Bag })[BAG];
    return b && b.owner === key ? b : undefined;
  }

  get(key: K): V | undefined {
    const b = this.bag(key);
    return b ? (b.values[this.id] as V | undefined) : this.fallback?.get(key);
  }

  has(key: K): boolean {
    const b = this.bag(key);
    return b ? this.id in b.values : !!this.fallback?.has(key);
  }

  set(key: K, value: V): this {
    let b = this.bag(key);
    if (!b && Object.isExtensible(key)) {
      b = { owner: key, values: [] };
      Object.defineProperty(key, BAG, { value: b, writable: true, configurable: true, enumerable: false });
    }
    if (b) b.values[this.id] = value;
    else (this.fallback ??= new WeakMap()).set(key, value);
    return this;
  }

  delete(key: K): boolean {
    const b = this.bag(key);
    if (!b) return !!this.fallback?.delete(key);
    const had = this.id in b.values;
    delete b.values[this.id];
    return had;
  }
}
