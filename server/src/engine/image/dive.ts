// dive's efficiency figures, computed exactly as dive (github.com/wagoodman/dive,
// dive/filetree/efficiency.go and dive/image/analysis.go) computes them, so
// that CI users can compare numbers and gates:
//
//   Each layer is a tree of its tar entries (names cleaned; an entry whose
//   name starts with `.wh..wh.` — the opaque-directory marker — is not added;
//   `.wh.<name>` stays a node standing for `<name>`). For every layer, its
//   *leaves* (nodes without children in that layer) are visited depth-first,
//   children before parents, siblings in name order. Per path p:
//     size(p, layer) = the entry's header size, or for a whiteout: 0 when the
//                      path was a file below, and the summed sizes of the
//                      directory and everything under it when it was a
//                      directory (looked up in the layers below stacked
//                      together; for the first layer, in that layer itself);
//     cumulative(p)  = Σ size(p, layer) over the layers where p is a leaf;
//     min(p)         = min size(p, layer) over those layers.
//   efficiency          = Σ_p min(p) / Σ_p cumulative(p)   (1 when the sum is 0)
//   wasted bytes        = Σ cumulative(p) over the paths that are leaves in
//                         two or more layers (the first copy included)
//   user size           = Σ layer sizes except the first layer's
//                         (a layer's size = Σ of its entries' header sizes)
//   user wasted percent = wasted bytes / user size (a fraction: 0.1 = 10 %)
//
// dive's quirks are kept: opaque directories are ignored; stacking ignores
// them too; a whiteout whose path is missing below stops the visit of the
// rest of that layer (dive logs the error and goes on with the next layer).
import type { RawEntry } from './archive';

interface Info {
  size: number;
  isDir: boolean;
}

const NO_INFO: Info = Object.freeze({ size: 0, isDir: false });

// Info objects are never changed once made: nodes and trees share them.
class Node {
  children?: Map<string, Node>;
  info: Info = NO_INFO;
  /** `/a/b/c` with every name as it is (cached; see pathOf). */
  private full?: string;
  constructor(
    readonly name: string,
    readonly parent: Node | undefined,
  ) {}
  get fullPath(): string {
    if (this.full === undefined) this.full = this.parent ? this.parent.fullPath + '/' + this.name : '';
    return this.full;
  }
  child(name: string): Node | undefined {
    return this.children?.get(name);
  }
  /** The children's names in order (cached until the children change). */
  private sorted?: string[];
  add(name: string): Node {
    const n = new Node(name, this);
    (this.children ??= new Map()).set(name, n);
    this.sorted = undefined;
    return n;
  }
  remove(name: string): void {
    this.children?.delete(name);
    this.sorted = undefined;
  }
  sortedNames(): string[] {
    return (this.sorted ??= [...this.children!.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  isLeaf(): boolean {
    return !this.children || this.children.size === 0;
  }
}

const WH = '.wh.';
const WH_OPQ_PREFIX = '.wh..wh.';

function split(path: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47) {
      if (i > start) out.push(path.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

/** dive's FileTree.AddPath. */
function addPath(root: Node, path: string, info: Info): void {
  const names = split(path);
  let node = root;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const existing = node.child(name);
    if (existing) node = existing;
    else {
      if (name.startsWith(WH_OPQ_PREFIX)) return;
      node = node.add(name);
    }
    if (i === names.length - 1) node.info = info;
  }
}

function getNode(root: Node, path: string): Node | undefined {
  let node: Node | undefined = root;
  for (const name of split(path)) {
    node = node.child(name);
    if (!node) return undefined;
  }
  return node;
}

/** dive's FileNode.Path(): the leaf's `.wh.` prefix is dropped. */
function pathOf(node: Node): string {
  if (!node.parent) return '/';
  return node.name.startsWith(WH) ? node.parent.fullPath + '/' + node.name.slice(WH.length) : node.fullPath;
}

/** Child-first, name-ordered visit of every node but the root; the visitor may stop it by returning false. */
function visitChildFirst(node: Node, root: Node | undefined, fn: (n: Node) => boolean): boolean {
  if (node.children) {
    for (const name of node.sortedNames()) if (!visitChildFirst(node.children.get(name)!, root, fn)) return false;
  }
  if (node === root) return true;
  return fn(node);
}

function layerTree(entries: RawEntry[]): Node {
  const root = new Node('', undefined);
  for (const e of entries) addPath(root, e.name, { size: e.size, isDir: e.type === 'dir' });
  return root;
}

function copyTree(src: Node, parent?: Node): Node {
  const n = new Node(src.name, parent);
  n.info = src.info;
  if (src.children) for (const [k, c] of src.children) (n.children ??= new Map()).set(k, copyTree(c, n));
  // (a new Map of the same children: the sorted names are computed again when needed)
  return n;
}

/** dive's FileTree.Stack: whiteouts remove their path, everything else is added (children kept). */
function stack(lower: Node, upper: Node): void {
  visitChildFirst(upper, upper, (n) => {
    const p = pathOf(n);
    if (n.name.startsWith(WH)) {
      const target = getNode(lower, p);
      if (target && target.parent) target.parent.remove(target.name);
    } else addPath(lower, p, n.info);
    return true;
  });
}

export interface DiveInefficiency {
  path: string;
  /** Σ of the path's sizes over the layers where it is a leaf. */
  cumulativeSize: number;
  /** Layers (0-based) where it is a leaf, in order. */
  layers: number[];
}

export interface DiveFigures {
  efficiency: number;
  wastedBytes: number;
  sizeBytes: number;
  userSizeBytes: number;
  /** wastedBytes / userSizeBytes as Go computes it: NaN for 0/0, Infinity for x/0. */
  userWastedPercent: number;
  /** Paths that are leaves in two or more layers, largest cumulative size first. */
  inefficiencies: DiveInefficiency[];
}

/** dive's figures for layers given bottom first (a repeated layer appears twice). */
export function diveFigures(layers: { entries: RawEntry[]; size: number }[]): DiveFigures {
  const data = new Map<string, { cumulative: number; min: number; layers: number[] }>();
  const inefficient: string[] = [];
  let stacked: Node | undefined;
  let first: Node | undefined;
  layers.forEach((layer, idx) => {
    const tree = layerTree(layer.entries);
    if (idx === 0) {
      first = tree;
      // StackTreeRange(trees, 0, idx-1) stacks trees[0] onto a copy of itself first. Without
      // whiteouts that changes nothing (every path is there, with the same info): the tree
      // itself becomes the stack once its own visit is done (it is not used after that).
      if (layer.entries.some((e) => e.name.includes(WH))) {
        stacked = copyTree(tree);
        stack(stacked, tree);
      }
    }
    const below = idx === 0 ? first! : stacked!;
    visitChildFirst(tree, tree, (node) => {
      if (!node.isLeaf()) return true;
      const p = pathOf(node);
      let size = 0;
      if (node.name.startsWith(WH)) {
        const prev = getNode(below, p);
        if (!prev) return false; // dive: "path does not exist" ends this layer's visit
        if (prev.info.isDir) visitChildFirst(prev, undefined, (n) => ((size += n.info.size), true));
      } else size = node.info.size;
      let d = data.get(p);
      if (!d) data.set(p, (d = { cumulative: 0, min: -1, layers: [] }));
      d.cumulative += size;
      if (d.min < 0 || size < d.min) d.min = size;
      d.layers.push(idx);
      if (d.layers.length === 2) inefficient.push(p);
      return true;
    });
    if (idx === 0) stacked ??= tree;
    else stack(stacked!, tree);
  });
  let minimum = 0;
  let discovered = 0;
  for (const d of data.values()) {
    minimum += d.min;
    discovered += d.cumulative;
  }
  const efficiency = discovered === 0 ? 1 : minimum / discovered;
  const inefficiencies = inefficient.map((p) => ({ path: p, cumulativeSize: data.get(p)!.cumulative, layers: data.get(p)!.layers }));
  inefficiencies.sort((a, b) => b.cumulativeSize - a.cumulativeSize);
  const wastedBytes = inefficiencies.reduce((n, i) => n + i.cumulativeSize, 0);
  const sizeBytes = layers.reduce((n, l) => n + l.size, 0);
  const userSizeBytes = sizeBytes - (layers[0]?.size ?? 0);
  return { efficiency, wastedBytes, sizeBytes, userSizeBytes, userWastedPercent: wastedBytes / userSizeBytes, inefficiencies };
}
