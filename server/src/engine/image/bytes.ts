// Random access to a file's bytes for the executable parsers: either the
// whole file (tests, small files) or the sparse set of ranges a streaming
// scan kept (image layers are read once, front to back; see scan.ts).

/** Random access to (parts of) a file. */
export interface ByteSource {
  readonly size: number;
  /** The bytes [offset, offset + length), or undefined when any of them is not available. */
  read(offset: number, length: number): Uint8Array | undefined;
  /** The available byte ranges that intersect [start, end), clipped, in order. */
  ranges(start: number, end: number): { start: number; data: Uint8Array }[];
}

export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(private readonly buf: Uint8Array) {
    this.size = buf.length;
  }
  read(offset: number, length: number): Uint8Array | undefined {
    if (!(offset >= 0 && length >= 0) || offset + length > this.buf.length) return undefined;
    return this.buf.subarray(offset, offset + length);
  }
  ranges(start: number, end: number): { start: number; data: Uint8Array }[] {
    const s = Math.max(0, start);
    const e = Math.min(this.buf.length, end);
    return e > s ? [{ start: s, data: this.buf.subarray(s, e) }] : [];
  }
}

/** Disjoint, sorted ranges of a file; adding an overlapping range merges. */
export class SparseBytes implements ByteSource {
  private segs: { start: number; data: Uint8Array }[] = [];
  constructor(readonly size: number) {}

  /** Total bytes held. */
  get held(): number {
    return this.segs.reduce((n, s) => n + s.data.length, 0);
  }

  add(start: number, data: Uint8Array): void {
    if (!data.length) return;
    let end = start + data.length;
    let s = start;
    // collect the segments that touch [start, end)
    const keep: { start: number; data: Uint8Array }[] = [];
    const touching: { start: number; data: Uint8Array }[] = [];
    for (const seg of this.segs) {
      const segEnd = seg.start + seg.data.length;
      if (segEnd < start || seg.start > end) keep.push(seg);
      else touching.push(seg);
    }
    if (!touching.length) {
      keep.push({ start, data: Uint8Array.from(data) });
    } else {
      s = Math.min(start, touching[0].start);
      end = Math.max(end, ...touching.map((t) => t.start + t.data.length));
      const merged = new Uint8Array(end - s);
      for (const t of touching) merged.set(t.data, t.start - s);
      merged.set(data, start - s);
      keep.push({ start: s, data: merged });
    }
    keep.sort((a, b) => a.start - b.start);
    this.segs = keep;
  }

  has(offset: number, length: number): boolean {
    return this.read(offset, length) !== undefined;
  }

  read(offset: number, length: number): Uint8Array | undefined {
    if (!(offset >= 0 && length >= 0)) return undefined;
    if (length === 0) return new Uint8Array(0);
    for (const seg of this.segs) {
      if (seg.start <= offset && offset + length <= seg.start + seg.data.length) return seg.data.subarray(offset - seg.start, offset - seg.start + length);
    }
    return undefined;
  }

  ranges(start: number, end: number): { start: number; data: Uint8Array }[] {
    const out: { start: number; data: Uint8Array }[] = [];
    for (const seg of this.segs) {
      const s = Math.max(start, seg.start);
      const e = Math.min(end, seg.start + seg.data.length);
      if (e > s) out.push({ start: s, data: seg.data.subarray(s - seg.start, e - seg.start) });
    }
    return out;
  }
}

/** Fixed-endianness integer reads on a byte array; out-of-range reads give undefined. */
export class Reader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(o: number): number {
    return this.bytes[o];
  }
  u16(o: number): number {
    return this.view.getUint16(o, this.littleEndian);
  }
  u32(o: number): number {
    return this.view.getUint32(o, this.littleEndian);
  }
  /** 64-bit as a Number (exact below 2^53; file offsets and sizes are). */
  u64(o: number): number {
    const lo = this.view.getUint32(o + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.view.getUint32(o + (this.littleEndian ? 4 : 0), this.littleEndian);
    return hi * 2 ** 32 + lo;
  }
  uint(o: number, size: 4 | 8): number {
    return size === 8 ? this.u64(o) : this.u32(o);
  }
}

/** Go's binary.Uvarint: value and bytes consumed; undefined on overflow or truncation. */
export function uvarint(b: Uint8Array, offset: number): { value: number; length: number } | undefined {
  let x = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (offset + i >= b.length) return undefined;
    const c = b[offset + i];
    x += (c & 0x7f) * scale;
    if (c < 0x80) {
      if (x > Number.MAX_SAFE_INTEGER) return undefined;
      return { value: x, length: i + 1 };
    }
    scale *= 128;
  }
  return undefined;
}

/** NUL-terminated UTF-8 string at `offset`; undefined when no NUL within `max` bytes. */
export function cString(b: Uint8Array, offset: number, max = 4096): string | undefined {
  if (offset < 0 || offset >= b.length) return undefined;
  const limit = Math.min(b.length, offset + max);
  for (let end = offset; end < limit; end++) if (b[end] === 0) return Buffer.from(b.subarray(offset, end)).toString('utf8');
  return undefined;
}

export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength), from);
}
