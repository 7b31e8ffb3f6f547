# A function symbol (inner) that starts inside another function's call
# operand: its decode shares the rel32's last byte. Patching the call would
# change inner's first instruction.
  .text
  .globl _start
  .type _start,@function
_start:
  call outer
  mov $60, %eax
  xor %edi, %edi
  syscall
  .size _start, .-_start

  .p2align 4
  .globl outer
  .type outer,@function
outer:
  call leaf
  ret
  .size outer, .-outer
  .globl inner
  .type inner,@function
  .set inner, outer+4
  .size inner, 4

  .p2align 4
  .globl cold
  .type cold,@function
cold:
  .fill 200, 1, 0x90
  ret
  .size cold, .-cold

  .p2align 4
  .globl leaf
  .type leaf,@function
leaf:
  ret
  .size leaf, .-leaf
