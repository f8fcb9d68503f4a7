/** Dockerfile variable expansion (`$NAME`, `${NAME:-word}`…), bounded in length and in total. */

/** One expanded value stops growing here (Linux PATH_MAX): image names, paths and versions are shorter. */
export const MAX_EXPANDED_VALUE = 4096;
/** All expansions of one Dockerfile together: `ARG B=$A$A…` repeated doubles a value per line. */
export const MAX_EXPANDED_TOTAL = 16 * 1024 * 1024;
/** `${A:-${B:-…}}` deeper than this is left as written. */
const MAX_EXPANSION_DEPTH = 32;

/** What expansions of one Dockerfile may still produce, and whether a value was cut. */
export interface ExpansionBudget {
  left: number;
  /** Set when a value reached MAX_EXPANDED_VALUE or the budget ran out. */
  cut: 'value' | 'total' | null;
}

export const expansionBudget = (): ExpansionBudget => ({ left: MAX_EXPANDED_TOTAL, cut: null });

/**
 * `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}`, `${NAME-word}`, `${NAME+word}`; `\$` is a
 * literal `$`. Bounded: a value stops at MAX_EXPANDED_VALUE characters, and once `budget` is spent
 * the text is returned as written; either sets `budget.cut`.
 */
export function expandVariables(
  text: string,
  vars: Record<string, string | null | undefined>,
  escape = '\\',
  /** Leave `$NAME` as written when it has no value (an ENV of the base image, say) instead of ''. */
  keepUnresolved = false,
  budget: ExpansionBudget = expansionBudget(),
  nesting = 0,
): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  if (budget.left <= 0) {
    budget.cut ??= 'total';
    return { value: text, unresolved };
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (out.length > MAX_EXPANDED_VALUE) {
      out = out.slice(0, MAX_EXPANDED_VALUE);
      budget.cut ??= 'value';
      break;
    }
    const ch = text[i]!;
    if (ch === escape && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (ch !== '$') {
      out += ch;
      continue;
    }
    const simple = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (simple) {
      const v = vars[simple[0]];
      if (v == null) unresolved.push(simple[0]);
      out += v ?? (keepUnresolved ? `$${simple[0]}` : '');
      i += simple[0].length;
      continue;
    }
    if (text[i + 1] === '{') {
      // find the matching brace (a default may hold another ${…})
      let depth = 0;
      let end = -1;
      for (let j = i + 1; j < text.length; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}' && --depth === 0) {
          end = j;
          break;
        }
      }
      if (end === -1) {
        out += text.slice(i);
        break;
      }
      const body = text.slice(i + 2, end);
      const m =
        nesting < MAX_EXPANSION_DEPTH ? /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body) : null;
      if (!m) {
        out += text.slice(i, end + 1);
      } else {
        const v = vars[m[1]!];
        const op = m[2];
        const set = op?.startsWith(':') ? v != null && v !== '' : v != null;
        if (op === undefined) {
          if (v == null) unresolved.push(m[1]!);
          out += v ?? (keepUnresolved ? text.slice(i, end + 1) : '');
        } else {
          const word = expandVariables(m[3] ?? '', vars, escape, keepUnresolved, budget, nesting + 1);
          if (op.endsWith('-')) {
            if (set) out += v;
            else {
              out += word.value;
              unresolved.push(...word.unresolved);
            }
          } else if (set) {
            out += word.value;
            unresolved.push(...word.unresolved);
          }
        }
      }
      i = end;
      continue;
    }
    out += ch;
  }
  if (out.length > MAX_EXPANDED_VALUE) {
    out = out.slice(0, MAX_EXPANDED_VALUE);
    budget.cut ??= 'value';
  }
  budget.left -= out.length;
  return { value: out, unresolved };
}
