// Types of scripts/demo/lib.mjs (for the TypeScript tests in test/demo/).
export interface Stats { n: number; median: number | null; min: number | null; max: number | null; values: number[] }
export function stats(values: number[]): Stats;
export function ratio(before: unknown, after: unknown): number | null;
export function parseQuantity(q: unknown): number | undefined;
export function downwardValue(quantity: string, divisor?: string): string | undefined;
export function parseGoMemLimit(s: string | undefined): number | null | undefined;
export interface RunSpec {
  name: string;
  image: string;
  cpus: number | undefined;
  memoryBytes: number | undefined;
  limits: Record<string, unknown>;
  requests: Record<string, unknown>;
  env: Record<string, string>;
  unresolved: string[];
}
export function runSpecFromManifest(manifestText: string): RunSpec;
export function dockerRunArgs(spec: Pick<RunSpec, 'cpus' | 'memoryBytes' | 'env'>): string[];
export interface StartupLog { gomaxprocs: number; gomemlimit: number | null; numCPU: number; go: string | null }
export function parseStartupLog(text: string): StartupLog | undefined;
export function manifestBytes(manifest: unknown): number;
export function parseContainerId(stdout: string): string | undefined;
export interface LintFinding { file: string; rule: string; severity: string; line: number; fixable: boolean }
export function countFindings(report: unknown): { total: number; fixable: number; findings: LintFinding[] };
export function fmtBytes(n: unknown): string;
export function fmtMs(ms: unknown): string;
export function fmtRatio(r: unknown): string;
export function figureRow(label: string, before: unknown, after: unknown, fmt: (n: number) => string): string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function renderImpact(results: any): string;
