// The image's final filesystem, built by applying layers bottom to top with
// the OCI layer semantics, and what each layer's bytes became:
//   - `.wh.<name>` deletes <name> (and everything under it) from the layers
//     below; `.wh..wh..opq` empties its directory of what the layers below put
//     there (the layer's own entries stay). A layer's whiteouts apply before
//     its own entries, whatever their order in the tar;
//   - an entry replaces what was at its path, except directory over directory
//     (metadata replaced, children kept); a directory replaces a file or link
//     that was in its way;
//   - every file byte that a later layer deletes or replaces is "hidden": it
//     is still shipped in its layer but never visible (the OCI view of waste,
//     recorded with the layer that added it and the one that removed it).
// Windows layers keep the filesystem under `Files/` (registry hives under
// `Hives/`, the utility VM under `UtilityVM/`); their paths are matched
// case-insensitively.
import type { EntryType, RawEntry } from './archive';

export interface FsFile {
  type: EntryType;
  size: number;
  /** The layer (0-based) that wrote it. */
  layer: number;
  /** Its name in that layer's tar (how the layer's executables are keyed). */
  entryName: string;
  linkname?: string;
}

export class FsNode {
  children?: Map<string, FsNode>;
  constructor(
    public name: string,
    public parent: FsNode | undefined,
    /** Undefined for a directory no layer wrote an entry for. */
    public file?: FsFile,
  ) {}
  get isDir(): boolean {
    return !this.file || this.file.type === 'dir';
  }
}

export type HiddenHow = 'deleted' | 'overwritten' | 'opaque';

export interface HiddenRecord {
  /** The path deleted or replaced (a directory for a subtree). */
  path: string;
  /** File bytes hidden under it that `addedIn` wrote. */
  size: number;
  files: number;
  addedIn: number;
  removedIn: number;
  how: HiddenHow;
}

/** Where a layer entry lands: the filesystem, a Windows registry hive, or nowhere visible. */
export function fsPathOf(name: string, windows: boolean): { path: string } | { hive: string } | { other: string } {
  if (!windows) return { path: name };
  if (/^Files(\/|$)/i.test(name)) return { path: name.replace(/^Files\/?/i, '') };
  if (/^Hives(\/|$)/i.test(name)) return { hive: name };
  return { other: name };
}

export class FinalFs {
  readonly root = new FsNode('', undefined, { type: 'dir', size: 0, layer: -1, entryName: '' });
  private readonly hidden = new Map<string, HiddenRecord>();
  /** Hidden file bytes per layer that added them. */
  readonly hiddenByLayer = new Map<number, number>();

  constructor(readonly caseInsensitive = false) {}

  private key(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }

  private parts(path: string): string[] {
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i <= path.length; i++) {
      if (i < path.length && path.charCodeAt(i) !== 0x2f) continue;
      if (i > start && !(i === start + 1 && path.charCodeAt(start) === 0x2e)) out.push(path.slice(start, i));
      start = i + 1;
    }
    return out;
  }

  static pathOf(node: FsNode): string {
    const names: string[] = [];
    for (let n: FsNode | undefined = node; n && n.parent; n = n.parent) names.push(n.name);
    return '/' + names.reverse().join('/');
  }

  /** The node at `path` without following symlinks. */
  get(path: string): FsNode | undefined {
    let n: FsNode | undefined = this.root;
    for (const p of this.parts(path)) {
      n = n.children?.get(this.key(p));
      if (!n) return undefined;
    }
    return n;
  }

  /** The node at `path`, following symlinks (absolute ones from the image root), like the kernel would inside the container. */
  resolve(path: string, followLast = true): FsNode | undefined {
    let todo = this.parts(path);
    let stack: FsNode[] = [this.root];
    let hops = 0;
    while (todo.length) {
      const [name, ...rest] = todo;
      todo = rest;
      const cur = stack[stack.length - 1];
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      if (!cur.isDir) return undefined;
      const next = cur.children?.get(this.key(name));
      if (!next) return undefined;
      if (next.file?.type === 'symlink' && (todo.length || followLast)) {
        if (++hops > 40) return undefined;
        const target = next.file.linkname ?? '';
        if (target.startsWith('/')) stack = [this.root];
        todo = [...this.parts(target), ...todo];
        continue;
      }
      stack.push(next);
    }
    return stack[stack.length - 1];
  }

  private record(node: FsNode, path: string, removedIn: number, how: HiddenHow): void {
    const visit = (n: FsNode) => {
      if (n.file && n.file.type === 'file' && n.file.size > 0 && n.file.layer < removedIn) {
        const k = `${path}\0${n.file.layer}\0${removedIn}\0${how}`;
        let r = this.hidden.get(k);
        if (!r) this.hidden.set(k, (r = { path, size: 0, files: 0, addedIn: n.file.layer, removedIn, how }));
        r.size += n.file.size;
        r.files++;
        this.hiddenByLayer.set(n.file.layer, (this.hiddenByLayer.get(n.file.layer) ?? 0) + n.file.size);
      }
      if (n.children) for (const c of n.children.values()) visit(c);
    };
    visit(node);
  }

  /** The directory the previous entry went into (entries come grouped by directory); forgotten at every removal. */
  private lastDir?: { path: string; node: FsNode };

  private remove(node: FsNode, removedIn: number, how: HiddenHow): void {
    if (!node.parent) return;
    this.lastDir = undefined;
    this.record(node, FinalFs.pathOf(node), removedIn, how);
    node.parent.children!.delete(this.key(node.name));
  }

  /** The directory at `path`, created (and put in place of a non-directory) as needed. */
  private dir(parts: string[], layer: number): FsNode {
    let n = this.root;
    for (const p of parts) {
      let c = n.children?.get(this.key(p));
      if (c && !c.isDir) {
        this.remove(c, layer, 'overwritten');
        c = undefined;
      }
      if (!c) {
        c = new FsNode(p, n);
        (n.children ??= new Map()).set(this.key(p), c);
      }
      n = c;
    }
    return n;
  }

  /** Applies one layer: its whiteouts first, then its entries. */
  applyLayer(layer: number, entries: { path: string; entry: RawEntry }[]): void {
    const adds: { parts: string[]; entry: RawEntry }[] = [];
    for (const { path, entry } of entries) {
      const parts = this.parts(path);
      if (!parts.length) continue;
      const base = parts[parts.length - 1];
      if (base === '.wh..wh..opq') {
        const d = this.get(parts.slice(0, -1).join('/'));
        if (d?.children) for (const c of [...d.children.values()]) this.remove(c, layer, 'opaque');
      } else if (base.startsWith('.wh.')) {
        const target = this.get([...parts.slice(0, -1), base.slice(4)].join('/'));
        if (target) this.remove(target, layer, 'deleted');
      } else adds.push({ parts, entry });
    }
    this.lastDir = undefined;
    for (const { parts, entry } of adds) {
      // the same directory as the previous entry: nothing was removed since, so walking there again would find it unchanged
      const dirPath = parts.length > 1 ? parts.slice(0, -1).join('/') : '';
      let parent: FsNode;
      if (this.lastDir && this.lastDir.path === dirPath) parent = this.lastDir.node;
      else {
        parent = this.dir(parts.slice(0, -1), layer);
        this.lastDir = { path: dirPath, node: parent };
      }
      const name = parts[parts.length - 1];
      const file: FsFile = { type: entry.type, size: entry.size, layer, entryName: entry.name, ...(entry.linkname !== undefined ? { linkname: entry.linkname } : {}) };
      const existing = parent.children?.get(this.key(name));
      if (existing && existing.isDir && entry.type === 'dir') {
        existing.file = file;
        existing.name = name;
        continue;
      }
      if (existing) {
        if (existing.file?.layer === layer && !existing.children?.size) {
          // the same path twice in one layer: the later entry wins, nothing is hidden across layers
          existing.file = file;
          continue;
        }
        this.remove(existing, layer, 'overwritten');
      }
      (parent.children ??= new Map()).set(this.key(name), new FsNode(name, parent, file));
    }
  }

  hiddenRecords(): HiddenRecord[] {
    return [...this.hidden.values()];
  }

  /** Every node below `node` (itself included), depth first, children in name order. */
  *walk(node: FsNode = this.root): Generator<FsNode> {
    // an explicit stack: nested generators (yield*) would cost each node its depth in resumptions
    const todo: FsNode[] = [node];
    while (todo.length) {
      const n = todo.pop()!;
      yield n;
      if (!n.children) continue;
      const kids = [...n.children.values()].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      for (const c of kids) todo.push(c);
    }
  }

  /** Regular-file bytes and count under a path (not following symlinks); undefined when the path does not exist. */
  usage(path: string): { bytes: number; files: number } | undefined {
    const n = this.get(path);
    if (!n) return undefined;
    let bytes = 0;
    let files = 0;
    for (const x of this.walk(n)) {
      if (x.file?.type === 'file') {
        bytes += x.file.size;
        files++;
      }
    }
    return { bytes, files };
  }
}
