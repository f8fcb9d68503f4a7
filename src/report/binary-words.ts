import type {
  AbsentPart,
  BinaryFacts,
  BinaryNote,
  CappedPart,
  CutPart,
  OutsidePart,
  PastEndPart,
  TarballUnreadWhy,
  TruncatedPart,
  UnknownValueField,
  UnreadablePart,
} from '../model/binary.js';

/** The words of the binary readers' notes: what a file is not, and which table was cut short. */

const FS_WORDS: Record<string, string> = {
  ENOENT: 'file not found',
  ENOTDIR: 'a parent of the path is not a directory',
  EISDIR: 'a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'symlink loop',
  ENAMETOOLONG: 'path too long',
  EMFILE: 'too many open files',
  // openFileSource's code for FIFOs, sockets and devices, which it refuses to read.
  ENOTREG: 'not a regular file',
};

const TRUNCATED_WORDS: Record<TruncatedPart, string> = {
  'elf-header': 'ELF header truncated',
  'program-header-table': 'program header table truncated',
  'section-header-table': 'section header table truncated',
  'note-segment': 'note segment truncated',
  'dynamic-section': 'dynamic section truncated',
  'version-needs': 'version needs cut short',
  'universal-header': 'universal header truncated',
  'macho-header': 'Mach-O header truncated',
  'load-commands': 'load commands truncated',
  'symbol-table': 'symbol table truncated',
  'coff-header': 'COFF header truncated',
  'optional-header': 'optional header truncated',
  'section-table': 'section table truncated',
  'import-name-table': 'import name table truncated',
};

const OUTSIDE_WORDS: Record<OutsidePart, string> = {
  'program-headers': 'program headers lie',
  'section-headers': 'section headers lie',
  'dynamic-section': 'dynamic section lies',
  'dynamic-strings': 'dynamic string table lies',
  'dynamic-symbols': 'dynamic symbols lie',
  'load-commands': 'load commands lie',
  'symbol-table': 'symbol table lies',
  'import-name-table': 'import name table lies',
  'export-directory': 'export directory lies',
  'export-name-tables': 'export name tables lie',
};

const PAST_END_WORDS: Record<PastEndPart, string> = {
  'version-needs': 'version needs run past the end of the file',
  'import-directory': 'import directory runs past the mapped file',
  'delay-import-directory': 'delay-import directory runs past the mapped file',
};

const CAPPED_WORDS: Record<CappedPart, (kept: number, total: number) => string> = {
  'program-headers': (kept, total) => `only the first ${kept} of ${total} program headers read`,
  'section-headers': (kept, total) => `only the first ${kept} of ${total} section headers read`,
  'c-imports': (kept, total) => `only the first ${kept} of ${total} C imports kept`,
  'universal-slices': (kept, total) => `universal header claims ${total} slices; read ${kept}`,
  'load-commands': (kept, total) => `header claims ${total} load commands; read ${kept}`,
  'pe-sections': (kept, total) => `header claims ${total} sections; read ${kept}`,
  'export-names': (kept, total) => `export directory claims ${total} names; read ${kept}`,
};

const CUT_WORDS: Record<CutPart, (at: number) => string> = {
  'dynamic-strings': (at) => `dynamic string table cut to ${at} bytes`,
  'dynamic-symbols': (at) => `dynamic symbol table cut to ${at} entries`,
  'symbol-strings': (at) => `symbol strings cut to ${at} bytes`,
  imports: (at) => `imports cut at ${at}`,
  'import-directory': (at) => `import directory cut at ${at} descriptors`,
  'delay-import-directory': (at) => `delay-import directory cut at ${at} descriptors`,
};

const ABSENT_WORDS: Record<AbsentPart, string> = {
  'dynamic-section': 'no dynamic section',
  'pt-load': 'no readable PT_LOAD program headers',
  'readable-slice': 'no readable slice',
  'symbol-table': 'no symbol table',
  'pe-signature': 'no PE signature (a DOS executable, or truncated)',
  'elf-file': 'not an ELF file',
  'macho-file': 'not a Mach-O file',
  'pe-file': 'not a PE file',
};

const UNREADABLE_WORDS: Record<UnreadablePart, string> = {
  'pt-interp': 'PT_INTERP unreadable',
  'symbol-versions': 'symbol versions unreadable',
  'needed-name': 'DT_NEEDED name outside the dynamic string table',
  runpath: 'RUNPATH outside the dynamic string table',
  'dylib-name': 'dylib load command with a bad name offset',
  'napi-version-body': 'node_api_module_get_api_version_v1 body not recognised',
  'load-commands-end': 'load commands end early',
  'dynamic-symbol-count': 'dynamic symbol count taken from the table layout',
  'import-name-table-entry': 'import name table holds an entry without a name; read up to it',
  'import-descriptor': 'import directory holds a descriptor without a DLL name; read up to it',
  'delay-import-descriptor': 'delay-import directory holds a descriptor without a DLL name; read up to it',
  'export-name-table-entry': 'export name table holds an entry without a name; read up to it',
  'import-name-table-repeat': 'import descriptors repeat a name table',
};

const UNKNOWN_VALUE_WORDS: Record<UnknownValueField, (value: number) => string> = {
  'elf-machine': (v) => `unknown ELF machine ${v}`,
  'elf-osabi': (v) => `unknown ELF OS/ABI ${v}, assumed linux`,
  'macho-cputype': (v) => `unknown Mach-O cputype ${v}`,
  'coff-machine': (v) => `unknown COFF machine 0x${v.toString(16)}`,
  'optional-header-magic': (v) => `unknown optional header magic 0x${v.toString(16)}`,
};

function tarballWords(w: TarballUnreadWhy): string {
  switch (w.why) {
    case 'reread-failed':
      return `the tarball could not be read again (${w.errorCode ?? 'error'})`;
    case 'over-window':
      return `the ranges its headers point to need more than the ${w.capMiB} MiB lockfile mode holds of one file`;
    case 'single-read':
      return 'its headers point back to bytes that streamed past, and the tarball can be read only once here';
    case 'reads-exhausted':
      return `its headers still pointed back to bytes that streamed past after ${w.maxReads} reads of the tarball`;
    case 'changed-between-reads':
      return 'the tarball read differently the second time';
  }
}

/** One note in words. Values read from the file (arch names, error text) are the caller's to make inert. */
export function binaryNoteWords(n: BinaryNote): string {
  switch (n.code) {
    case 'EMPTY_FILE':
      return 'empty file';
    case 'TOO_SHORT':
      return `file too short (${n.size} bytes) to be a binary`;
    case 'NOT_A_BINARY':
      return n.kind === 'git-lfs-pointer'
        ? 'a Git LFS pointer, not the binary it stands for'
        : n.kind === 'text'
          ? 'a text file, not a binary'
          : `not an ELF, Mach-O or PE file (starts ${n.head ?? '?'})`;
    case 'CANNOT_READ':
      return `cannot read: ${n.errorCode !== null ? (FS_WORDS[n.errorCode] ?? n.errorCode) : (n.message ?? 'error')}`;
    case 'PARSER_ERROR':
      return `internal error while parsing: ${n.message}`;
    case 'NOT_READ_FROM_TARBALL':
      return `facts not read from the tarball: ${tarballWords(n)}`;
    case 'UNKNOWN_VALUE':
      return UNKNOWN_VALUE_WORDS[n.field](n.value);
    case 'UNKNOWN_ELF_CLASS':
      return `unknown ELF class ${n.elfClass} or data encoding ${n.encoding}`;
    case 'TRUNCATED':
      return TRUNCATED_WORDS[n.part];
    case 'OUTSIDE_FILE':
      return `${OUTSIDE_WORDS[n.part]} outside the file`;
    case 'RUNS_PAST_END':
      return PAST_END_WORDS[n.part];
    case 'CAPPED':
      return CAPPED_WORDS[n.part](n.kept, n.total);
    case 'CUT':
      return CUT_WORDS[n.part](n.at);
    case 'ABSENT':
      return ABSENT_WORDS[n.part];
    case 'UNREADABLE':
      return UNREADABLE_WORDS[n.part];
    case 'UNNAMED_SYMBOLS':
      return `${n.count} ${n.table === 'dynamic' ? 'dynamic symbols' : 'symbols'} have unreadable names`;
    case 'BAD_ENTRY_SIZE':
      return n.table === 'program-headers'
        ? `program header entry size ${n.size} too small`
        : `dynamic symbol entry size ${n.size} not supported`;
    case 'BAD_LOAD_COMMAND':
      return `load command ${n.index} has a bad size`;
    case 'MODULE_UNEXPLAINED':
      return n.why === 'legacy-struct-not-found'
        ? 'legacy NODE_MODULE addon: its node_module struct (and so its ABI) was not found'
        : 'imports V8/node C++ symbols but exports no registration symbol';
    case 'SLICE_UNKNOWN_CPUTYPE':
      return `slice ${n.slice} has unknown cputype ${n.cputype}`;
    case 'SLICE_OUTSIDE_FILE':
      return `slice ${n.slice} (${n.arch ?? `cputype ${n.cputype}`}) lies outside the file`;
    case 'SLICE_NESTED':
      return `slice ${n.slice} is itself a universal file`;
    case 'SLICE_ARCH_DISAGREES':
      return `slice ${n.slice} header says ${n.header}, universal header says ${n.universal}`;
    case 'SLICE_NOTES':
      return `slice ${n.slice}: ${binaryNotesWords(n.notes)}`;
  }
}

/** A file's notes in words, `; `-separated (the `reason` the JSON has always carried); null when none. */
export function binaryNotesWords(notes: readonly BinaryNote[]): string | null {
  return notes.length > 0 ? notes.map(binaryNoteWords).join('; ') : null;
}

/** Facts as JSON: the notes, plus their words under the name the JSON has always used (`reason`). */
export function binaryFactsJson<F extends BinaryFacts>(facts: F): F & { reason: string | null } {
  const out: F & { reason: string | null } = { ...facts, reason: binaryNotesWords(facts.notes) };
  if (facts.slices) out.slices = facts.slices.map((s) => binaryFactsJson(s));
  return out;
}

/** Why a file is not a loadable binary: its notes' words, else the loader's own text. */
export function invalidBinaryWords(e: {
  notes: readonly BinaryNote[];
  loaderDetail?: string | null;
}): string {
  return binaryNotesWords(e.notes) ?? e.loaderDetail ?? 'not a binary';
}

/** A mismatch as JSON: an `INVALID_BINARY` one keeps the `reason` words the JSON has always had. */
export function mismatchJson<M extends { code: string }>(m: M): M | (M & { reason: string }) {
  return m.code === 'INVALID_BINARY' && 'notes' in m
    ? { ...m, reason: invalidBinaryWords(m as M & { notes: BinaryNote[] }) }
    : m;
}
