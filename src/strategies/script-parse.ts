/**
 * Parses an npm lifecycle script as `sh -c` would group it: and-or lists (`a && b || c`, equal
 * precedence, left to right), sequences (`a; b`, `a & b`, newlines), pipelines (`a | b`: the
 * status is the last command's), subshells and brace groups, with redirections dropped
 * (`node buildcheck.js > buildcheck.gypi` runs `node buildcheck.js`). Only the structure matters
 * here: each simple command keeps its words, as splitScript's prefixes-stripped argv.
 */
import { stripPrefixes } from './script.js';

export type ShNode =
  { type: 'cmd'; argv: string[] } | { type: 'and' | 'or' | 'seq' | 'pipe'; left: ShNode; right: ShNode };

type Token = { op: string } | { word: string };

/** Scripts are short; anything longer than this is not a script worth a structure. */
const MAX_SCRIPT = 16 * 1024;
const MAX_DEPTH = 32;

function tokenize(text: string): Token[] | null {
  const out: Token[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) out.push({ word });
    word = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return null;
      let body = text.slice(i + 1, end);
      if (c === '"') body = body.replace(/\\(["\\$`])/g, '$1');
      word += body;
      inWord = true;
      i = end;
    } else if (c === '\\' && i + 1 < text.length) {
      if (text[i + 1] !== '\n') word += text[i + 1];
      inWord = inWord || text[i + 1] !== '\n';
      i++;
    } else if (c === '$' && text[i + 1] === '(') {
      // a command substitution is one word here: its output is an argument, not a step
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      word += text.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) return null;
      word += text.slice(i, end + 1);
      inWord = true;
      i = end;
    } else if (c === '#' && !inWord) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end - 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else if (c === '\n') {
      endWord();
      out.push({ op: ';' });
    } else if (c === '>' || c === '<') {
      // `2>&1`, `> file`, `>> file`, `< file`: the descriptor digits belong to the redirection
      if (inWord && /^\d+$/.test(word)) {
        word = '';
        inWord = false;
      } else endWord();
      let j = i + 1;
      if (text[j] === '>' || text[j] === '&') j++;
      if (text[j - 1] === '&') {
        while (j < text.length && /[\d-]/.test(text[j]!)) j++;
        i = j - 1;
        continue;
      }
      out.push({ op: 'redirect' });
      i = j - 1;
    } else if (c === '|' || c === '&' || c === ';') {
      endWord();
      const two = text.slice(i, i + 2);
      if (two === '||' || two === '&&' || two === ';;') {
        out.push({ op: two === ';;' ? ';' : two });
        i++;
      } else out.push({ op: c === '&' ? ';' : c });
    } else if (c === '(' || c === ')') {
      endWord();
      out.push({ op: c });
    } else if ((c === '{' || c === '}') && !inWord && /[\s;]|$/.test(text[i + 1] ?? '')) {
      // brace groups group exactly like subshells as far as exit statuses go
      out.push({ op: c === '{' ? '(' : ')' });
    } else {
      word += c;
      inWord = true;
    }
  }
  endWord();
  return out;
}

/** The structure of a script, or null when it does not parse (unbalanced quotes or parentheses). */
export function parseScript(text: string): ShNode | null {
  if (text.length > MAX_SCRIPT) return null;
  const tokens = tokenize(text);
  if (!tokens) return null;
  let pos = 0;
  const peekOp = (): string | null => {
    const t = tokens[pos];
    return t && 'op' in t ? t.op : null;
  };
  let failed = false;

  const list = (depth: number): ShNode | null => {
    let node: ShNode | null = null;
    for (;;) {
      while (peekOp() === ';') pos++;
      if (pos >= tokens.length || peekOp() === ')') return node;
      const next = andOr(depth);
      if (!next) return node;
      node = node ? { type: 'seq', left: node, right: next } : next;
      if (peekOp() !== ';') return node;
    }
  };
  const andOr = (depth: number): ShNode | null => {
    let node = pipeline(depth);
    while (node && (peekOp() === '&&' || peekOp() === '||')) {
      const op = peekOp() === '&&' ? 'and' : 'or';
      pos++;
      // `a &&\n b`: a line break after the operator continues the list
      while (peekOp() === ';') pos++;
      const right = pipeline(depth);
      if (!right) {
        failed = true;
        return node;
      }
      node = { type: op, left: node, right };
    }
    return node;
  };
  const pipeline = (depth: number): ShNode | null => {
    let node = command(depth);
    while (node && peekOp() === '|') {
      pos++;
      const right = command(depth);
      if (!right) {
        failed = true;
        return node;
      }
      node = { type: 'pipe', left: node, right };
    }
    return node;
  };
  const command = (depth: number): ShNode | null => {
    if (peekOp() === '(') {
      if (depth >= MAX_DEPTH) {
        failed = true;
        return null;
      }
      pos++;
      const body = list(depth + 1);
      if (peekOp() !== ')' || !body) {
        failed = true;
        return null;
      }
      pos++;
      while (peekOp() === 'redirect') pos += 2;
      return body;
    }
    const words: string[] = [];
    for (;;) {
      const t = tokens[pos];
      if (!t) break;
      if ('word' in t) {
        words.push(t.word);
        pos++;
      } else if (t.op === 'redirect') {
        pos += 2;
      } else break;
    }
    if (!words.length) return null;
    return { type: 'cmd', argv: stripPrefixes(words) };
  };

  const root = list(0);
  if (failed || pos < tokens.length || !root) return null;
  return root;
}
