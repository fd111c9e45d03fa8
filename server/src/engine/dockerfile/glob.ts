// COPY/ADD source patterns: Docker matches them with Go's filepath.Match
// (`*` and `?` within one path segment, `[...]` classes with `^`/`!` negation).
import * as path from 'node:path';

/** Compiled patterns: the same few are asked for at every lint of a document. */
const compiled = new Map<string, RegExp>();

/** A RegExp for one pattern, anchored on both ends; `/` is never matched by a wildcard. */
export function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re) return re;
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) src += '\\[';
      else {
        src += '[' + glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else src += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  re = new RegExp('^' + src + '$');
  // (no flags: a RegExp without `g` or `y` keeps no state between tests, so one instance serves every caller)
  if (compiled.size >= 1000) compiled.clear();
  compiled.set(glob, re);
  return re;
}

/** Whether copying `src` (absolute, may be a glob or a directory) carries the file at `file`. */
export function copyCarries(src: string, file: string): boolean {
  const s = src.replace(/(?<!\/)\/+$/, '') || '/';
  if (s === file) return true;
  if (file.startsWith(s === '/' ? '/' : s + '/')) return true;
  if (/[*?]/.test(s)) {
    const re = globToRegExp(s);
    for (let p = file; p.length > 1; p = path.posix.dirname(p)) if (re.test(p)) return true;
  }
  return false;
}
