import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../src/model/findings.js';

const docs = readFileSync(fileURLToPath(new URL('../docs/findings.md', import.meta.url)), 'utf8');
const headings = [...docs.matchAll(/^## ([A-Z][A-Z0-9_]+)$/gm)].map((m) => m[1]!);

describe('docs/findings.md', () => {
  it('has one section per finding code, and no section for a code that does not exist', () => {
    const codes = Object.keys(FINDINGS).sort();
    expect([...headings].sort()).toEqual(codes);
    expect(new Set(headings).size).toBe(headings.length);
  });
});
