/**
 * Register- and flag-level expectations for the integer ISA, per the SDM's
 * "Flags Affected" sections. Each snippet ends in SYSCALL, so R11 holds
 * RFLAGS and the context the registers.
 */
import { describe, expect, it } from "vitest";
import { GPR } from "../src/interfaces/cpu-context";
import { CODE, DATA, runSnippet } from "./cpu-harness";

const CF = 0x1n;
const PF = 0x4n;
const AF = 0x10n;
const ZF = 0x40n;
const SF = 0x80n;
const OF = 0x800n;
const STATUS = CF | PF | AF | ZF | SF | OF;

function flagsOf(hex: string): bigint {
  return runSnippet(hex).get(GPR.R11) & STATUS;
}

describe("add/sub/adc/sbb/inc/dec/neg flags", () => {
  it("add al, bl: 0x7f + 1 overflows into the sign bit", () => {
    // mov al, 0x7f ; mov bl, 1 ; add al, bl
    const h = runSnippet("b07f b301 00d8");
    expect(h.get(GPR.RAX) & 0xffn).toBe(0x80n);
    expect(h.get(GPR.R11) & STATUS).toBe(OF | SF | AF);
  });
  it("sub eax, 1 from 0 borrows", () => {
    // xor eax, eax ; sub eax, 1
    expect(flagsOf("31c0 83e801")).toBe(CF | SF | AF | PF);
  });
  it("adc eax, 0 with CF=1 wraps to zero", () => {
    // stc ; mov eax, 0xffffffff ; adc eax, 0
    const h = runSnippet("f9 b8ffffffff 83d000");
    expect(h.get(GPR.RAX)).toBe(0n);
    expect(h.get(GPR.R11) & STATUS).toBe(CF | ZF | AF | PF);
  });
  it("sbb eax, 0 with CF=1 from 0", () => {
    // xor eax, eax ; stc ; sbb eax, 0
    const h = runSnippet("31c0 f9 83d800");
    expect(h.get(GPR.RAX)).toBe(0xffffffffn);
    expect(h.get(GPR.R11) & STATUS).toBe(CF | SF | AF | PF);
  });
  it("64-bit sub: INT64_MIN - 1 overflows", () => {
    // movabs rax, 0x8000000000000000 ; sub rax, 1
    const h = runSnippet("48b80000000000000080 4883e801");
    expect(h.get(GPR.RAX)).toBe(0x7fffffffffffffffn);
    expect(h.get(GPR.R11) & (CF | OF | SF | ZF)).toBe(OF);
  });
  it("inc preserves CF and sets OF at 0x7fffffff", () => {
    // stc ; mov eax, 0x7fffffff ; inc eax
    const h = runSnippet("f9 b8ffffff7f ffc0");
    expect(h.get(GPR.RAX)).toBe(0x80000000n);
    expect(h.get(GPR.R11) & STATUS).toBe(CF | OF | SF | AF | PF);
  });
  it("dec to zero sets ZF and keeps CF clear", () => {
    // clc ; mov ecx, 1 ; dec ecx
    expect(flagsOf("f8 b901000000 ffc9")).toBe(ZF | PF);
  });
  it("neg: CF = source ≠ 0", () => {
    // xor eax, eax ; neg eax
    expect(flagsOf("31c0 f7d8") & (CF | ZF)).toBe(ZF);
    // mov eax, 5 ; neg eax
    const h = runSnippet("b805000000 f7d8");
    expect(h.get(GPR.RAX)).toBe(0xfffffffbn);
    expect(h.get(GPR.R11) & CF).toBe(CF);
  });
  it("cmp/jcc signed and unsigned conditions", () => {
    // mov eax, -1 ; cmp eax, 1 ; setl bl ; setb cl ; seta dl
    const h = runSnippet("b8ffffffff 83f801 0f9cc3 0f92c1 0f97c2");
    expect(h.get(GPR.RBX) & 0xffn).toBe(1n);
    expect(h.get(GPR.RDX) & 0xffn).toBe(1n);
  });
});

describe("shifts and rotates", () => {
  it("shl eax, 1 of 0x80000001: CF=1, OF=MSB(result)^CF", () => {
    const h = runSnippet("b801000080 d1e0");
    expect(h.get(GPR.RAX)).toBe(2n);
    expect(h.get(GPR.R11) & (CF | OF | ZF | SF)).toBe(CF | OF);
  });
  it("shr eax, 1 of 0x80000001: CF=1, OF=MSB(original)", () => {
    const h = runSnippet("b801000080 d1e8");
    expect(h.get(GPR.RAX)).toBe(0x40000000n);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(CF | OF);
  });
  it("sar eax, 31 of 0x80000000 fills with the sign", () => {
    const h = runSnippet("b800000080 c1f81f");
    expect(h.get(GPR.RAX)).toBe(0xffffffffn);
    expect(h.get(GPR.R11) & (CF | SF | OF)).toBe(SF);
  });
  it("a shift by 0 changes neither operand nor flags", () => {
    // stc ; mov eax, 1 ; shl eax, 0
    const h = runSnippet("f9 b801000000 c1e000");
    expect(h.get(GPR.RAX)).toBe(1n);
    expect(h.get(GPR.R11) & CF).toBe(CF);
  });
  it("64-bit shl by 33 and sar by 63", () => {
    // mov rax, 1 ; shl rax, 33 ; mov rbx, -8 ; sar rbx, 63
    const h = runSnippet("48c7c001000000 48c1e021 48c7c3f8ffffff 48c1fb3f");
    expect(h.get(GPR.RAX)).toBe(0x200000000n);
    expect(h.get(GPR.RBX)).toBe(0xffffffffffffffffn);
  });
  it("shl cl uses CL masked to 5 bits for 32-bit operands", () => {
    // mov eax, 1 ; mov ecx, 33 ; shl eax, cl
    expect(runSnippet("b801000000 b921000000 d3e0").get(GPR.RAX)).toBe(2n);
  });
  it("rol al, 1 / ror al, 1 set CF and OF", () => {
    // mov al, 0x81 ; rol al, 1
    let h = runSnippet("b081 d0c0");
    expect(h.get(GPR.RAX) & 0xffn).toBe(0x03n);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(CF | OF);
    // mov al, 1 ; ror al, 1
    h = runSnippet("b001 d0c8");
    expect(h.get(GPR.RAX) & 0xffn).toBe(0x80n);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(CF | OF);
  });
  it("rcl/rcr rotate through CF", () => {
    // stc ; mov al, 0x80 ; rcl al, 1  → 0x01, CF=1
    let h = runSnippet("f9 b080 d0d0");
    expect(h.get(GPR.RAX) & 0xffn).toBe(0x01n);
    expect(h.get(GPR.R11) & CF).toBe(CF);
    // clc ; mov al, 1 ; rcr al, 1 → 0x00, CF=1, OF = MSB(orig) ^ CF(orig) = 0
    h = runSnippet("f8 b001 d0d8");
    expect(h.get(GPR.RAX) & 0xffn).toBe(0n);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(CF);
  });
  it("shld/shrd", () => {
    // mov eax, 0x12345678 ; mov edx, 0x9abcdef0 ; shld eax, edx, 8 ; shrd edx, eax, 4 (after shld)
    const h = runSnippet("b878563412 baf0debc9a 0fa4d008 0facc204");
    expect(h.get(GPR.RAX)).toBe(0x3456789an);
    expect(h.get(GPR.RDX)).toBe(0xa9abcdefn);
  });
});

describe("multiply and divide", () => {
  it("mul ecx sets CF=OF when EDX is significant", () => {
    // mov eax, 0x10000 ; mov ecx, 0x10000 ; mul ecx
    const h = runSnippet("b800000100 b900000100 f7e1");
    expect(h.get(GPR.RAX)).toBe(0n);
    expect(h.get(GPR.RDX)).toBe(1n);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(CF | OF);
    expect(flagsOf("b803000000 b904000000 f7e1") & (CF | OF)).toBe(0n);
  });
  it("mul rcx: (2^64-1)^2", () => {
    const h = runSnippet("48c7c0ffffffff 48c7c1ffffffff 48f7e1");
    expect(h.get(GPR.RAX)).toBe(1n);
    expect(h.get(GPR.RDX)).toBe(0xfffffffffffffffen);
  });
  it("imul rax, rcx overflow and negative products", () => {
    // movabs rax, 0x4000000000000000 ; mov rcx, 2 ; imul rax, rcx
    let h = runSnippet("48b80000000000000040 48c7c102000000 480fafc1");
    expect(h.get(GPR.RAX)).toBe(0x8000000000000000n);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(CF | OF);
    // mov rax, -3 ; mov rcx, 5 ; imul rax, rcx
    h = runSnippet("48c7c0fdffffff 48c7c105000000 480fafc1");
    expect(h.get(GPR.RAX)).toBe(0xfffffffffffffff1n);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(0n);
  });
  it("imul eax, ecx, -2 (three-operand) zero-extends", () => {
    const h = runSnippet("b907000000 6bc1fe");
    expect(h.get(GPR.RAX)).toBe(0xfffffff2n);
  });
  it("one-operand imul ecx: EDX:EAX signed", () => {
    // mov eax, -2 ; mov ecx, 3 ; imul ecx
    const h = runSnippet("b8feffffff b903000000 f7e9");
    expect(h.get(GPR.RAX)).toBe(0xfffffffan);
    expect(h.get(GPR.RDX)).toBe(0xffffffffn);
    expect(h.get(GPR.R11) & (CF | OF)).toBe(0n);
  });
  it("div by zero raises #DE at the div", () => {
    // xor edx, edx ; mov eax, 1 ; xor ecx, ecx ; div ecx
    const h = runSnippet("31d2 b801000000 31c9 f7f1");
    expect(h.lastTrap.vector).toBe(0);
    expect(h.lastTrap.rip).toBe(BigInt(CODE + 9));
  });
  it("div quotient overflow raises #DE", () => {
    // mov edx, 1 ; xor eax, eax ; mov ecx, 1 ; div ecx
    expect(runSnippet("ba01000000 31c0 b901000000 f7f1").lastTrap.vector).toBe(0);
  });
  it("idiv truncates toward zero; remainder has the dividend's sign", () => {
    // mov eax, -7 ; cdq ; mov ecx, 2 ; idiv ecx
    const h = runSnippet("b8f9ffffff 99 b902000000 f7f9");
    expect(h.get(GPR.RAX)).toBe(0xfffffffdn);
    expect(h.get(GPR.RDX)).toBe(0xffffffffn);
  });
  it("div rcx of a 128-bit dividend", () => {
    // mov edx, 1 ; xor eax, eax ; mov ecx, 3 ; div rcx
    const h = runSnippet("ba01000000 31c0 b903000000 48f7f1");
    expect(h.get(GPR.RAX)).toBe(0x5555555555555555n);
    expect(h.get(GPR.RDX)).toBe(1n);
  });
  it("idiv rcx: INT64_MIN / -1 raises #DE", () => {
    // movabs rax, 0x8000000000000000 ; cqo ; mov rcx, -1 ; idiv rcx
    expect(runSnippet("48b80000000000000080 4899 48c7c1ffffffff 48f7f9").lastTrap.vector).toBe(0);
  });
});

describe("moves and extensions", () => {
  it("movsx/movzx/movsxd", () => {
    // mov eax, 0x80 ; movsx ebx, al ; movzx ecx, al ; movsx rdx, al ; mov edi, 0x80000000 ; movsxd rsi, edi
    const h = runSnippet("b880000000 0fbed8 0fb6c8 480fbed0 bf00000080 4863f7");
    expect(h.get(GPR.RBX)).toBe(0xffffff80n);
    expect(h.get(GPR.RDX)).toBe(0xffffffffffffff80n);
    expect(h.get(GPR.RSI)).toBe(0xffffffff80000000n);
  });
  it("8-bit high registers and 16-bit merges", () => {
    // mov eax, 0x11223344 ; mov ah, 0x99 ; mov bx, 0x5555 (66 bb) ; mov ebx... keep: mov bx into rbx=0
    const h = runSnippet("b844332211 b499 66bb5555");
    expect(h.get(GPR.RAX)).toBe(0x11229944n);
    expect(h.get(GPR.RBX)).toBe(0x5555n);
  });
  it("cmovcc: 32-bit form zero-extends even when false", () => {
    // movabs rbx, 0x1_0000_0001 ; xor eax, eax (ZF=1) ; cmovnz ebx, eax
    const h = runSnippet("48bb0100000001000000 31c0 0f45d8");
    expect(h.get(GPR.RBX)).toBe(1n);
  });
  it("cmpxchg equal and not equal", () => {
    // mov eax, 5 ; mov ecx, 5 ; mov edx, 9 ; cmpxchg ecx, edx
    // (mov esi, ecx afterwards: SYSCALL overwrites RCX)
    let h = runSnippet("b805000000 b905000000 ba09000000 0fb1d1 89ce");
    expect(h.get(GPR.RSI)).toBe(9n);
    expect(h.get(GPR.R11) & ZF).toBe(ZF);
    // mov eax, 4 ; mov ebx, 5 ; mov edx, 9 ; cmpxchg ebx, edx
    h = runSnippet("b804000000 bb05000000 ba09000000 0fb1d3");
    expect(h.get(GPR.RAX)).toBe(5n);
    expect(h.get(GPR.RBX)).toBe(5n);
    expect(h.get(GPR.R11) & ZF).toBe(0n);
  });
  it("xadd and lock cmpxchg16b on memory", () => {
    // mov rbx, DATA ; mov dword [rbx], 10 ; mov eax, 3 ; lock xadd [rbx], eax
    const h = runSnippet("48c7c300006000 c7030a000000 b803000000 f00fc103 8b33");
    expect(h.get(GPR.RAX)).toBe(10n);
    expect(h.get(GPR.RSI)).toBe(13n);
  });
  it("bt/bts with immediate and with a register offset beyond the operand", () => {
    // mov eax, 0x10 ; bt eax, 4 ; setc dl ; bts eax, 0
    let h = runSnippet("b810000000 0fbae004 0f92c2 0fbae800");
    expect(h.get(GPR.RDX) & 0xffn).toBe(1n);
    expect(h.get(GPR.RAX)).toBe(0x11n);
    // mov rbx, DATA ; mov ecx, 35 ; bts dword [rbx], ecx ; mov eax, [rbx+4]
    h = runSnippet("48c7c300006000 b923000000 0fab0b 8b4304");
    expect(h.get(GPR.RAX)).toBe(8n);
  });
  it("bsf/bsr: zero source sets ZF and leaves the destination", () => {
    // mov ebx, 0x1234 ; xor eax, eax ; bsf ebx, eax
    let h = runSnippet("bb34120000 31c0 0fbcd8");
    expect(h.get(GPR.RBX)).toBe(0x1234n);
    expect(h.get(GPR.R11) & ZF).toBe(ZF);
    // mov eax, 0xf0 ; bsr ebx, eax ; bsf esi, eax
    h = runSnippet("b8f0000000 0fbdd8 0fbcf0");
    expect(h.get(GPR.RBX)).toBe(7n);
    expect(h.get(GPR.RSI)).toBe(4n);
    expect(h.get(GPR.R11) & ZF).toBe(0n);
  });
  it("popcnt and lzcnt", () => {
    // mov eax, 0xf0f0 ; popcnt ebx, eax ; lzcnt esi, eax
    const h = runSnippet("b8f0f00000 f30fb8d8 f30fbdf0");
    expect(h.get(GPR.RBX)).toBe(8n);
    expect(h.get(GPR.RSI)).toBe(16n);
  });
  it("bswap r32 and r64", () => {
    // mov eax, 0x11223344 ; bswap eax ; movabs rbx, 0x0102030405060708 ; bswap rbx
    const h = runSnippet("b844332211 0fc8 48bb0807060504030201 480fcb");
    expect(h.get(GPR.RAX)).toBe(0x44332211n);
    expect(h.get(GPR.RBX)).toBe(0x0807060504030201n);
  });
  it("pushfq/popfq: user cannot change IF; DF and CF can", () => {
    // pushfq ; pop rax ; and eax, ~0x200 ; or eax, 0x401 ; push rax ; popfq ; pushfq ; pop rbx
    const h = runSnippet("9c 58 25fffdffff 0d01040000 50 9d 9c 5b");
    expect(h.get(GPR.RBX) & 0x601n).toBe(0x601n);
  });
});

describe("string instructions", () => {
  it("rep stosb forwards and backwards", () => {
    // mov rdi, DATA ; mov ecx, 10 ; mov al, 0xab ; rep stosb
    // (then mov esi, ecx: SYSCALL overwrites RCX)
    let h = runSnippet("48c7c700006000 b90a000000 b0ab f3aa 89ce");
    expect(h.get(GPR.RDI)).toBe(BigInt(DATA + 10));
    expect(h.get(GPR.RSI)).toBe(0n);
    expect(h.ram.read8(h.physical(DATA + 9))).toBe(0xab);
    expect(h.ram.read8(h.physical(DATA + 10))).toBe(0);
    // std ; mov rdi, DATA+9 ; mov ecx, 10 ; mov al, 0xcd ; rep stosb ; cld
    h = runSnippet("fd 48c7c709006000 b90a000000 b0cd f3aa fc");
    expect(h.get(GPR.RDI)).toBe(BigInt(DATA - 1));
    expect(h.ram.read8(h.physical(DATA))).toBe(0xcd);
  });
  it("rep movsq copies and repne scasb finds a byte", () => {
    // mov rsi, DATA ; mov qword [rsi], 0x41424344 ; mov rdi, DATA+64 ; mov ecx, 1 ; rep movsq
    // mov rdi, DATA+64 ; mov al, 0x42 ; mov ecx, 8 ; repne scasb
    const h = runSnippet(
      "48c7c600006000 48c70644434241 48c7c740006000 b901000000 f348a5 48c7c740006000 b042 b908000000 f2ae 4189c8",
    );
    expect(h.ram.read32(h.physical(DATA + 64))).toBe(0x41424344);
    expect(h.get(GPR.RDI)).toBe(BigInt(DATA + 64 + 3));
    expect(h.get(GPR.R8)).toBe(5n);
    expect(h.get(GPR.R11) & ZF).toBe(ZF);
  });
  it("repe cmpsb stops at the first difference", () => {
    // mov rsi, DATA ; mov dword [rsi], 'abcd' ; mov rdi, DATA+16 ; mov dword [rdi], 'abXd' ; mov ecx, 4 ; repe cmpsb
    const h = runSnippet("48c7c600006000 c70661626364 48c7c710006000 c70761625864 b904000000 f3a6 4189c8");
    expect(h.get(GPR.R8)).toBe(1n);
    expect(h.get(GPR.RSI)).toBe(BigInt(DATA + 3));
    expect(h.get(GPR.R11) & ZF).toBe(0n);
  });
});
