// Byte counts for people, the way Docker and dive print them (SI: 1 MB = 1000² bytes),
// and parsing of sizes given on the command line (go-humanize's ParseBytes:
// `20MB` = 20 000 000, `20MiB` = 20 971 520, a bare number = bytes).

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = -1;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

const SI: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, p: 1e15, pb: 1e15 };
const IEC: Record<string, number> = { ki: 2 ** 10, kib: 2 ** 10, mi: 2 ** 20, mib: 2 ** 20, gi: 2 ** 30, gib: 2 ** 30, ti: 2 ** 40, tib: 2 ** 40, pi: 2 ** 50, pib: 2 ** 50 };

/** `20MB`, `20 MiB`, `1.5GB`, `1000`; undefined when not a size. */
export function parseSize(s: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z]*)\s*$/.exec(s);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  const mult = SI[unit] ?? IEC[unit];
  if (mult === undefined) return undefined;
  return Math.round(Number(m[1]) * mult);
}
