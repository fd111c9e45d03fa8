// Core engine types. Plain data, no editor or protocol imports: positions
// follow the LSP convention (0-based line, 0-based UTF-16 character) so the
// server can pass them through unchanged and the CLI adds 1 for humans.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITY_ORDER: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** A replacement of the text between two offsets of the original document. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Safe to apply without looking: used by `--fix` and "fix all". */
  preferred?: boolean;
  /**
   * Edits of other files than the linted document (e.g. a `.dockerignore`):
   * absolute `path`; `create` when the file does not exist yet (its `edits`
   * then insert at 0:0 of an empty file). Positions follow the same LSP
   * convention, in that file's text. A fix with file edits is never preferred.
   */
  fileEdits?: FileEdit[];
}

export interface FileEdit {
  path: string;
  create?: boolean;
  edits: TextEdit[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  range: Range;
  fixes: Fix[];
}

/** Read-only view of the files around a document (the build context, go.mod, ...). */
export interface Workspace {
  /** File contents, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Entry names of a directory, or [] when it does not exist. */
  listDir(path: string): string[];
}

export type DocumentKind = 'dockerfile' | 'yaml';

export const DOCS_BASE = 'https://github.com/container-tuner/container-tuner/blob/main/docs/rules/';
