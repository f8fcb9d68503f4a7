import type { InspectReport, InspectedFile } from '../model/reports.js';
import { binaryFactsJson, binaryNotesWords } from './binary-words.js';
import { inertValues } from './inert.js';
import { makeStyle } from './style.js';

function moduleWords(f: InspectedFile): string {
  switch (f.module.kind) {
    case 'napi':
      return `Node-API${f.napiVersion !== null ? ` (declares version ${f.napiVersion === 2147483647 ? 'experimental' : f.napiVersion})` : ''}`;
    case 'abi':
      return `${f.module.hybrid ? 'Node-API + V8/node C++ (one ABI only)' : 'ABI-specific'}${f.module.abi ? `, NODE_MODULE_VERSION ${f.module.abi}` : ', NODE_MODULE_VERSION unreadable'}`;
    case 'unknown':
      return 'registration not visible statically';
  }
}

export function renderInspectText(report: InspectReport, opts: { color: boolean }): string {
  const s = makeStyle(opts.color);
  const out: string[] = [];
  // every string here was read from the file or its name: printed inert
  for (const file of report.files) {
    const f = inertValues(file);
    const reason = inertValues(binaryNotesWords(file.notes));
    out.push(s.bold(f.file));
    if (!f.format) {
      out.push(`  ${s.red('not a binary native-guard can read')}: ${reason ?? 'unknown'}`);
      continue;
    }
    const libc = f.libc ? ` ${f.libc}` : '';
    const glibc = f.glibcVersion
      ? ` (needs GLIBC_${f.glibcVersion}${f.glibcxxVersion ? `, GLIBCXX_${f.glibcxxVersion}` : ''})`
      : '';
    const mac = f.minMacos ? ` (macOS ${f.minMacos}+)` : '';
    const pe = f.peMachine ? ` (${f.peMachine}${f.importsNodeExe ? ', imports node.exe' : ''})` : '';
    out.push(
      `  ${f.format.toUpperCase()} ${f.arches.join('+') || f.arch || '?'} ${f.platform ?? '?'}${libc}${glibc}${mac}${pe}`,
    );
    out.push(`  ${moduleWords(f)}`);
    if (f.needed.length) out.push(`  ${s.dim('needs:')} ${f.needed.join(', ')}`);
    if (reason) out.push(`  ${s.dim('note:')} ${reason}`);
    for (const m of f.mismatches ?? []) out.push(`  ${s.red('✗')} ${m.target}: ${mismatchWords(m)}`);
    if (f.mismatches && f.mismatches.length === 0)
      out.push(`  ${s.green('✓')} nothing rules it out on the given targets`);
  }
  return out.join('\n') + '\n';
}

/**
 * `inspect --json`, schemaVersion 1: each file's facts with its notes as codes (`notes`) and in
 * words (`reason`, null when it parsed cleanly), as the JSON has always had it.
 */
export function renderInspectJson(report: InspectReport): string {
  return JSON.stringify({ ...report, files: report.files.map((f) => binaryFactsJson(f)) }, null, 2) + '\n';
}

function mismatchWords(m: NonNullable<InspectedFile['mismatches']>[number]): string {
  switch (m.code) {
    case 'PLATFORM_MISMATCH':
      return `${m.code}: built for ${m.binaryPlatform}, target is ${m.targetPlatform}`;
    case 'ARCH_MISMATCH':
      return `${m.code}: built for ${m.binaryArches.join('+')}, target is ${m.targetArch}`;
    case 'LIBC_MISMATCH': {
      const gaps = [
        ...(m.missingLibraries.length ? [`needs ${m.missingLibraries.join(', ')}`] : []),
        ...(m.missingSymbols.length ? [`imports ${m.missingSymbols.join(', ')}`] : []),
      ];
      return `${m.code}: linked against ${m.binaryLibc}, target uses ${m.targetLibc}${gaps.length ? ` (${gaps.join('; ')})` : ''}`;
    }
    case 'GLIBC_TOO_OLD':
      return `${m.code}: needs GLIBC_${m.needed}, target has ${m.available}`;
    case 'SHARED_LIBRARY_MISSING':
      return `${m.code}: needs ${m.libraries.join(', ')}, not on the target`;
    case 'GLIBCXX_TOO_OLD':
      return `${m.code}: needs GLIBCXX_${m.needed}, target has ${m.available}`;
    case 'NAPI_VERSION_TOO_HIGH':
      return `${m.code}: declares Node-API ${m.declared}, target supports ${m.available}`;
    case 'ABI_MISMATCH':
      return `${m.code}: NODE_MODULE_VERSION ${m.binaryAbi}, target needs ${m.targetAbi}`;
  }
}
