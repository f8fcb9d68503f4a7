import { describe, expect, it } from 'vitest';
import { decodeConstantReturn } from '../../src/binary/code.js';

const le32 = (...insns: number[]) =>
  Uint8Array.from(insns.flatMap((i) => [i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24]));
const RET = 0xd65f03c0;
const BTI_C = 0xd503245f;
const PACIASP = 0xd503233f;
const AUTIASP = 0xd50323bf;

describe('x86 constant returns', () => {
  it('GCC/MSVC -O2: mov eax, imm32; ret', () => {
    expect(decodeConstantReturn('x64', Uint8Array.of(0xb8, 8, 0, 0, 0, 0xc3))).toBe(8);
    expect(decodeConstantReturn('ia32', Uint8Array.of(0xb8, 3, 0, 0, 0, 0xc3))).toBe(3);
  });

  it('NAPI_VERSION_EXPERIMENTAL (0x7fffffff)', () => {
    expect(decodeConstantReturn('x64', Uint8Array.of(0xb8, 0xff, 0xff, 0xff, 0x7f, 0xc3))).toBe(2147483647);
  });

  it('CET prologue: endbr64 / endbr32', () => {
    expect(decodeConstantReturn('x64', Uint8Array.of(0xf3, 0x0f, 0x1e, 0xfa, 0xb8, 9, 0, 0, 0, 0xc3))).toBe(
      9,
    );
    expect(decodeConstantReturn('ia32', Uint8Array.of(0xf3, 0x0f, 0x1e, 0xfb, 0xb8, 9, 0, 0, 0, 0xc3))).toBe(
      9,
    );
  });

  it('frame pointer kept (macOS, -O0): push rbp; mov rbp, rsp; mov eax; pop rbp; ret', () => {
    expect(
      decodeConstantReturn('x64', Uint8Array.of(0x55, 0x48, 0x89, 0xe5, 0xb8, 4, 0, 0, 0, 0x5d, 0xc3)),
    ).toBe(4);
    expect(decodeConstantReturn('ia32', Uint8Array.of(0x55, 0x89, 0xe5, 0xb8, 4, 0, 0, 0, 0x5d, 0xc3))).toBe(
      4,
    );
  });

  it('anything else is not guessed', () => {
    expect(decodeConstantReturn('x64', Uint8Array.of(0x31, 0xc0, 0xc3))).toBeNull(); // xor eax, eax
    expect(
      decodeConstantReturn('x64', Uint8Array.of(0x55, 0x48, 0x89, 0xe5, 0xb8, 4, 0, 0, 0, 0xc3)),
    ).toBeNull();
    expect(decodeConstantReturn('x64', Uint8Array.of(0xb8, 8, 0, 0, 0, 0x90))).toBeNull();
    expect(decodeConstantReturn('x64', Uint8Array.of(0xb8, 8, 0))).toBeNull();
    expect(decodeConstantReturn('x64', new Uint8Array(0))).toBeNull();
  });
});

describe('arm64 constant returns', () => {
  it('mov w0, #imm (movz); ret', () => {
    expect(decodeConstantReturn('arm64', le32(0x52800100, RET))).toBe(8);
    expect(decodeConstantReturn('arm64', le32(0x52800120, RET))).toBe(9);
  });

  it('BTI and pointer-authentication hints around the body', () => {
    expect(decodeConstantReturn('arm64', le32(BTI_C, 0x52800140, RET))).toBe(10);
    expect(decodeConstantReturn('arm64', le32(PACIASP, 0x52800140, AUTIASP, RET))).toBe(10);
  });

  it('0x7fffffff as GCC emits it (movn w0, #0x8000, lsl #16), as orr with a bitmask, as movz + movk', () => {
    expect(decodeConstantReturn('arm64', le32(0x12b00000, RET))).toBe(2147483647);
    expect(decodeConstantReturn('arm64', le32(0x32007be0, RET))).toBe(2147483647);
    expect(decodeConstantReturn('arm64', le32(0x32181fe0, RET))).toBe(0xff00);
    // movz w0, #0xffff; movk w0, #0x7fff, lsl #16
    expect(decodeConstantReturn('arm64', le32(0x529fffe0, 0x72afffe0, RET))).toBe(2147483647);
  });

  it('movz into another register, or no ret, is not a constant return of w0', () => {
    expect(decodeConstantReturn('arm64', le32(0x52800101, RET))).toBeNull(); // mov w1, #8
    expect(decodeConstantReturn('arm64', le32(0x52800100, 0xd503201f))).toBeNull(); // mov w0, #8; nop
    expect(decodeConstantReturn('arm64', le32(0xa9bf7bfd, 0x52800100, RET))).toBeNull(); // stp first
  });
});

it('architectures without a decoder return null', () => {
  expect(decodeConstantReturn('arm', Uint8Array.of(0x08, 0x20, 0x70, 0x47))).toBeNull();
  expect(decodeConstantReturn(null, Uint8Array.of(0xb8, 8, 0, 0, 0, 0xc3))).toBeNull();
});
