import type { BinaryFacts, BinaryNote } from '../model/binary.js';

/** Whether a note says the file itself is cut short or points outside itself (not merely odd). */
export function isDamageNote(n: BinaryNote): boolean {
  switch (n.code) {
    case 'OUTSIDE_FILE':
    case 'SLICE_OUTSIDE_FILE':
      return true;
    case 'TRUNCATED':
      // version needs that stop early are a short table, not a short file
      return n.part !== 'version-needs';
    case 'ABSENT':
      // no PE signature: a DOS executable, or a file cut short
      return n.part === 'pe-signature';
    case 'SLICE_NOTES':
      return n.notes.some(isDamageNote);
    default:
      return false;
  }
}

/**
 * The notes of a file whose own headers show it is damaged (empty, truncated, not a binary), or
 * null when they don't say so.
 */
export function damagedNotes(facts: BinaryFacts | null): BinaryNote[] | null {
  if (!facts) return null;
  if (facts.format === null) return facts.notes;
  if (facts.notes.some(isDamageNote)) return facts.notes;
  return null;
}
