/*
 * Process entry point for guest programs.
 *
 * Linux enters _start with RSP pointing at argc, followed by the argv
 * pointers, a NULL, the envp pointers, a NULL and the auxiliary vector
 * (System V x86-64 psABI, section 3.4.1). RSP is 16-byte aligned there; we
 * realign anyway so a loader that gets it wrong does not break SSE spills.
 * rt_start (C) decodes the stack, runs main and never returns.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp          /* outermost frame marker */
    movq %rsp, %rdi          /* rt_start(initial stack pointer) */
    andq $-16, %rsp
    call rt_start
    hlt                      /* unreachable: rt_start ends in exit_group */
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
