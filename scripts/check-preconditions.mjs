#!/usr/bin/env node
// Fails when a precondition has no test named after it.
//
// Scans libs/**/src/**/*.ts and apps/**/src/**/*.ts (spec files excluded) for `needs(<condition>, '<message>' ...)`
// calls and looks, in every *.spec.ts or *.integration-spec.ts file of the repository, for a test `it('<message>'`, `it("<message>"` or
// it(`<message>`) with exactly that message. A `needs` call whose message is not a plain string literal counts as
// untested (its text cannot be matched). Prints `preconditions: N checked, M untested`; exits 1 when M > 0.
//
// Usage: node scripts/check-preconditions.mjs [repository root]   (default: the parent of this script's folder)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '..'));
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git', '.nx', '.tmp', '.symbolon']);
const SPEC_FILE = /[.-]spec\.ts$/;

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name), out);
    } else if (entry.isFile()) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** Reads a string literal starting at text[i] (a quote); returns { value, end, plain } or undefined. */
function readString(text, i) {
  const quote = text[i];
  let value = '';
  let plain = true;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') {
      const n = text[j + 1];
      const escapes = { n: '\n', t: '\t', r: '\r', 0: '\0', b: '\b', f: '\f', v: '\v' };
      value += n in escapes ? escapes[n] : n;
      if (n === 'u' || n === 'x') plain = false; // not decoded: compared literally, but never matches silently
      j++;
    } else if (c === quote) {
      return { value, end: j + 1, plain };
    } else if (quote === '`' && c === '$' && text[j + 1] === '{') {
      plain = false; // interpolated template: no fixed text
      value += c;
    } else if (c === '\n' && quote !== '`') {
      return undefined;
    } else {
      value += c;
    }
  }
  return undefined;
}

/** Skips a comment or string at i; returns the index after it, or i when there is none. */
function skipNonCode(text, i) {
  if (text.startsWith('//', i)) {
    const end = text.indexOf('\n', i);
    return end === -1 ? text.length : end;
  }
  if (text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    return end === -1 ? text.length : end + 2;
  }
  const c = text[i];
  if (c === "'" || c === '"' || c === '`') {
    return readString(text, i)?.end ?? i + 1;
  }
  if (c === '/' && startsRegex(text, i)) {
    return skipRegex(text, i);
  }
  return i;
}

/** Whether a '/' at i opens a regular expression literal rather than dividing (by the token before it). */
function startsRegex(text, i) {
  let j = i - 1;
  while (j >= 0 && /\s/.test(text[j])) j--;
  if (j < 0 || '(,=:[!&|?{};+-*%<>~^'.includes(text[j])) return true;
  const word = /(?:^|[^\w$])(return|typeof|case|in|of|void|delete|throw|new|yield|await|else|do)$/;
  return word.test(text.slice(Math.max(0, j - 10), j + 1));
}

/** The index after the regular expression literal (and its flags) starting at i. */
function skipRegex(text, i) {
  let inClass = false;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      j++;
      while (/[a-z]/i.test(text[j] ?? '')) j++;
      return j;
    } else if (c === '\n') return i + 1;
  }
  return i + 1;
}

/** The top-level arguments of the call whose '(' is at open: [{ start, end }], and the index after ')'. */
function splitArguments(text, open) {
  const args = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < text.length;) {
    const skipped = skipNonCode(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ')') {
      if (depth === 0) {
        args.push({ start, end: i });
        return { args, close: i + 1 };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push({ start, end: i });
      start = i + 1;
    }
    i++;
  }
  return undefined;
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/** Every `needs(` call in code (not in comments or strings, not its own declaration). */
function findNeeds(text) {
  const calls = [];
  for (let i = 0; i < text.length;) {
    const skipped = skipNonCode(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (text.startsWith('needs', i) && !/[\w$.]/.test(text[i - 1] ?? '')) {
      let open = i + 5;
      while (/\s/.test(text[open] ?? '')) open++;
      const declaration = /\bfunction\s*$/.test(text.slice(Math.max(0, i - 20), i));
      if (text[open] === '(' && !declaration) {
        const parsed = splitArguments(text, open);
        const message = parsed?.args[1];
        const raw = message ? text.slice(message.start, message.end).trim() : '';
        const literal = /^['"`]/.test(raw) ? readString(raw, 0) : undefined;
        const ok = literal !== undefined && literal.plain && literal.end === raw.length;
        calls.push({ line: lineOf(text, i), message: ok ? literal.value : undefined, raw });
        i = parsed?.close ?? open + 1;
        continue;
      }
    }
    i++;
  }
  return calls;
}

/** Every `it('<literal>'` test name in a spec file. */
function findTestNames(text, names) {
  const pattern = /(?<![\w$.])it\s*\(\s*(['"`])/g;
  for (let match; (match = pattern.exec(text));) {
    const quoteAt = match.index + match[0].length - 1;
    const literal = readString(text, quoteAt);
    if (literal?.plain) names.add(literal.value);
  }
  return names;
}

const files = walk(root);
const sources = files.filter((f) => {
  const rel = relative(root, f).split('\\').join('/');
  return /^(libs|apps)\/(.+\/)?src\/.+\.ts$/.test(rel) && !SPEC_FILE.test(rel) && !rel.endsWith('.d.ts');
});
const testNames = new Set();
for (const file of files.filter((f) => SPEC_FILE.test(f))) {
  findTestNames(readFileSync(file, 'utf8'), testNames);
}

let checked = 0;
const untested = [];
for (const file of sources) {
  for (const call of findNeeds(readFileSync(file, 'utf8'))) {
    checked++;
    const where = `${relative(root, file)}:${call.line}`;
    if (call.message === undefined) {
      untested.push(`${where}  message is not a plain string literal: ${call.raw || '(missing)'}`);
    } else if (!testNames.has(call.message)) {
      untested.push(`${where}  ${JSON.stringify(call.message)}`);
    }
  }
}

for (const line of untested) console.error(`untested precondition: ${line}`);
console.log(`preconditions: ${checked} checked, ${untested.length} untested`);
process.exit(untested.length > 0 ? 1 : 0);
