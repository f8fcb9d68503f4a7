import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import { inspect } from '../../src/inspect.js';
import type { BinaryNote } from '../../src/model/binary.js';
import { makeFinding } from '../../src/model/findings.js';
import { binaryNotesWords, invalidBinaryWords } from '../../src/report/binary-words.js';
import { renderInspectJson, renderInspectText } from '../../src/report/inspect-text.js';
import { findingJson } from '../../src/report/json.js';
import { describe as describeFinding } from '../../src/report/messages.js';
import { addon, binary } from '../binary/paths.js';

/** binary/ hands back coded notes; report/ words them as the readers used to. */
describe('binary notes: codes from binary/, words from report/', () => {
  it('each kind of note has the words it always had', () => {
    const cases: Array<[BinaryNote, string]> = [
      [{ code: 'EMPTY_FILE' }, 'empty file'],
      [{ code: 'TOO_SHORT', size: 2 }, 'file too short (2 bytes) to be a binary'],
      [{ code: 'NOT_A_BINARY', kind: 'text' }, 'a text file, not a binary'],
      [
        { code: 'NOT_A_BINARY', kind: 'other', head: '50 4b 03 04' },
        'not an ELF, Mach-O or PE file (starts 50 4b 03 04)',
      ],
      [{ code: 'CANNOT_READ', errorCode: 'ENOENT' }, 'cannot read: file not found'],
      [{ code: 'CANNOT_READ', errorCode: 'EWEIRD' }, 'cannot read: EWEIRD'],
      [{ code: 'CANNOT_READ', errorCode: null, message: 'boom' }, 'cannot read: boom'],
      [{ code: 'PARSER_ERROR', message: 'x is undefined' }, 'internal error while parsing: x is undefined'],
      [{ code: 'TRUNCATED', part: 'program-header-table' }, 'program header table truncated'],
      [{ code: 'TRUNCATED', part: 'version-needs' }, 'version needs cut short'],
      [{ code: 'OUTSIDE_FILE', part: 'dynamic-section' }, 'dynamic section lies outside the file'],
      [{ code: 'OUTSIDE_FILE', part: 'program-headers' }, 'program headers lie outside the file'],
      [
        { code: 'CAPPED', part: 'program-headers', kept: 4096, total: 65535 },
        'only the first 4096 of 65535 program headers read',
      ],
      [
        { code: 'CAPPED', part: 'universal-slices', kept: 16, total: 99 },
        'universal header claims 99 slices; read 16',
      ],
      [{ code: 'CUT', part: 'dynamic-symbols', at: 12 }, 'dynamic symbol table cut to 12 entries'],
      [{ code: 'ABSENT', part: 'dynamic-section' }, 'no dynamic section'],
      [
        { code: 'UNREADABLE', part: 'napi-version-body' },
        'node_api_module_get_api_version_v1 body not recognised',
      ],
      [{ code: 'UNKNOWN_VALUE', field: 'coff-machine', value: 0x1234 }, 'unknown COFF machine 0x1234'],
      [{ code: 'UNKNOWN_ELF_CLASS', elfClass: 7, encoding: 1 }, 'unknown ELF class 7 or data encoding 1'],
      [{ code: 'RUNS_PAST_END', part: 'import-directory' }, 'import directory runs past the mapped file'],
      [
        { code: 'SLICE_OUTSIDE_FILE', slice: 1, arch: null, cputype: 18 },
        'slice 1 (cputype 18) lies outside the file',
      ],
      [
        {
          code: 'NOT_READ_FROM_TARBALL',
          why: 'single-read',
        },
        'facts not read from the tarball: its headers point back to bytes that streamed past, and the tarball can be read only once here',
      ],
    ];
    for (const [note, words] of cases) expect(binaryNotesWords([note]), note.code).toBe(words);
  });

  it("a slice's notes are worded inside the universal file's, `; `-separated", () => {
    expect(
      binaryNotesWords([
        { code: 'ABSENT', part: 'symbol-table' },
        {
          code: 'SLICE_NOTES',
          slice: 0,
          notes: [
            { code: 'TRUNCATED', part: 'load-commands' },
            { code: 'ABSENT', part: 'symbol-table' },
          ],
        },
      ]),
    ).toBe('no symbol table; slice 0: load commands truncated; no symbol table');
    expect(binaryNotesWords([])).toBeNull();
  });

  it('INVALID_BINARY: the notes, else the loader\'s own text, else "not a binary"', () => {
    expect(invalidBinaryWords({ notes: [{ code: 'EMPTY_FILE' }], loaderDetail: 'file too short' })).toBe(
      'empty file',
    );
    expect(invalidBinaryWords({ notes: [], loaderDetail: 'file too short' })).toBe('file too short');
    expect(invalidBinaryWords({ notes: [] })).toBe('not a binary');
  });

  it('an INVALID_BINARY finding: the message words the notes; the JSON keeps `reason` beside the codes', () => {
    const facts = inspectFile(addon('lfs-pointer'));
    expect(facts.notes).toEqual([{ code: 'NOT_A_BINARY', kind: 'git-lfs-pointer' }]);
    const f = makeFinding(
      'INVALID_BINARY',
      { package: 'lfs-addon@1.0.0', location: 'node_modules/lfs-addon' },
      { file: 'build/Release/addon.node', strategy: 'shipped-binary', fallback: 'none', notes: facts.notes },
    );
    expect(describeFinding(f).message).toContain(
      'build/Release/addon.node is not a loadable binary (a Git LFS pointer, not the binary it stands for)',
    );
    expect(findingJson(f).evidence).toEqual({
      file: 'build/Release/addon.node',
      strategy: 'shipped-binary',
      fallback: 'none',
      notes: [{ code: 'NOT_A_BINARY', kind: 'git-lfs-pointer' }],
      reason: 'a Git LFS pointer, not the binary it stands for',
    });
  });

  it('inspect: the text says the words, the JSON has `reason` words and `notes` codes, slices included', () => {
    const report = inspect([addon('empty'), binary('fsevents-2.3.3-darwin-universal')], { cwd: '/' });
    expect(renderInspectText(report, { color: false })).toContain(
      'not a binary native-guard can read: empty file',
    );
    const json = JSON.parse(renderInspectJson(report)) as {
      files: Array<{ reason: string | null; notes: BinaryNote[]; slices?: Array<{ reason: string | null }> }>;
    };
    expect(json.files[0]).toMatchObject({ reason: 'empty file', notes: [{ code: 'EMPTY_FILE' }] });
    expect(json.files[1]!.slices!.length).toBeGreaterThan(1);
    for (const s of json.files[1]!.slices!) expect(s).toHaveProperty('reason');
  });
});
