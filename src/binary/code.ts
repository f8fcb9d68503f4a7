/**
 * Reads the constant that `node_api_module_get_api_version_v1` returns. Node-API's
 * `NAPI_MODULE_INIT` defines it as `int32_t f(void) { return NAPI_VERSION; }`, which every
 * compiler we have seen turns into a load-immediate and a return. Anything else yields null:
 * guessing a version from unrecognised code would be worse than not knowing.
 */

/** Bytes worth reading at the function's address: the longest prologue we accept plus the body. */
export const CONSTANT_RETURN_BYTES = 32;

export function decodeConstantReturn(arch: string | null, code: Uint8Array): number | null {
  switch (arch) {
    case 'x64':
    case 'ia32':
      return decodeX86(code, arch === 'x64');
    case 'arm64':
      return decodeArm64(code);
    default:
      return null;
  }
}

function startsWith(code: Uint8Array, at: number, prefix: readonly number[]): boolean {
  if (at + prefix.length > code.length) return false;
  return prefix.every((b, i) => code[at + i] === b);
}

/**
 * `[endbr64|endbr32] [push rbp; mov rbp, rsp] mov eax, imm32 [pop rbp] ret` — optimised builds
 * (GCC/Clang -O2, MSVC /O2) are just `b8 imm32 c3`; macOS keeps the frame pointer; CET adds endbr.
 */
function decodeX86(code: Uint8Array, is64: boolean): number | null {
  let at = 0;
  if (startsWith(code, at, [0xf3, 0x0f, 0x1e, is64 ? 0xfa : 0xfb])) at += 4;
  let framed = false;
  const frame = is64 ? [0x55, 0x48, 0x89, 0xe5] : [0x55, 0x89, 0xe5];
  if (startsWith(code, at, frame)) {
    at += frame.length;
    framed = true;
  }
  if (code[at] !== 0xb8 || at + 5 > code.length) return null;
  const value = (code[at + 1]! | (code[at + 2]! << 8) | (code[at + 3]! << 16) | (code[at + 4]! << 24)) >>> 0;
  at += 5;
  if (framed) {
    if (code[at] !== 0x5d) return null;
    at += 1;
  }
  return code[at] === 0xc3 ? toInt32(value) : null;
}

const ARM64_RET = 0xd65f03c0;

function isArm64Hint(insn: number): boolean {
  // HINT space: nop, bti, paciasp/autiasp, … — none changes w0.
  return (insn & 0xfffff01f) >>> 0 === 0xd503201f;
}

/** `[hints] (movz w0[, movk w0] | movn w0 | orr w0, wzr, #bitmask) [hints] ret`. */
function decodeArm64(code: Uint8Array): number | null {
  const count = Math.floor(Math.min(code.length, CONSTANT_RETURN_BYTES) / 4);
  const insns: number[] = [];
  for (let i = 0; i < count; i++) {
    const insn =
      (code[i * 4]! | (code[i * 4 + 1]! << 8) | (code[i * 4 + 2]! << 16) | (code[i * 4 + 3]! << 24)) >>> 0;
    if (!isArm64Hint(insn)) insns.push(insn);
  }
  let value: number | null = null;
  let at = 0;
  const first = insns[at++];
  if (first === undefined) return null;
  if ((first & 0xff80001f) >>> 0 === 0x52800000) {
    // movz w0, #imm16, lsl #(hw*16)
    value = ((first >>> 5) & 0xffff) * 2 ** (16 * ((first >>> 21) & 1));
    const next = insns[at];
    if (next !== undefined && (next & 0xff80001f) >>> 0 === 0x72800000) {
      // movk w0, #imm16, lsl #(hw*16): replaces that half-word.
      const shift = 16 * ((next >>> 21) & 1);
      const imm = (next >>> 5) & 0xffff;
      value = shift === 0 ? (value & 0xffff0000) + imm : (value & 0xffff) + imm * 0x10000;
      at++;
    }
  } else if ((first & 0xff80001f) >>> 0 === 0x12800000) {
    // movn w0, #imm16, lsl #(hw*16): GCC's `mov w0, #0x7fffffff` (NAPI_VERSION_EXPERIMENTAL).
    value = ~(((first >>> 5) & 0xffff) * 2 ** (16 * ((first >>> 21) & 1))) >>> 0;
  } else if ((first & 0xffc003ff) >>> 0 === 0x320003e0) {
    // orr w0, wzr, #bitmask (the `mov w0, #0x7fffffff` alias)
    value = decodeBitmask32((first >>> 16) & 0x3f, (first >>> 10) & 0x3f);
  }
  if (value === null || insns[at] !== ARM64_RET) return null;
  return toInt32(value >>> 0);
}

/** AArch64 logical-immediate decoding for 32-bit operations (N = 0). */
function decodeBitmask32(immr: number, imms: number): number | null {
  // The element size is given by the highest clear bit of imms.
  let size = 32;
  while (size >= 2 && (imms & size) !== 0) size >>= 1;
  if (size < 2) return null;
  const ones = (imms & (size - 1)) + 1;
  if (ones >= size) return null;
  const rotate = immr & (size - 1);
  const mask = size === 32 ? 0xffffffff : (1 << size) - 1;
  let element = ones >= 32 ? 0xffffffff : (2 ** ones - 1) >>> 0;
  element = ((element >>> rotate) | (element << (size - rotate))) & mask;
  let result = 0;
  for (let i = 0; i < 32; i += size) result = (result | (element << i)) >>> 0;
  return result >>> 0;
}

function toInt32(value: number): number {
  return value | 0;
}
