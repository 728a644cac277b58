/*
 * badaccess.c - one forbidden thing per argument; the kernel must kill
 * this task with the documented log line, and nothing else.
 */
#include <ulib.h>

int main(uint32_t what)
{
	volatile uint32_t *p;

	switch (what) {
	case 0: /* read address 0 */
		p = 0;
		return (int)*p;
	case 1: /* write our own text */
		p = (volatile uint32_t *)(uintptr_t)main;
		*p = 0x90909090u;
		break;
	case 2: /* write a kernel address */
		p = (volatile uint32_t *)0xC0100000u;
		*p = 1;
		break;
	case 3: /* jump to an unmapped address */
		((void (*)(void))0x30000000u)();
		break;
	case 4: /* an invalid instruction */
		__asm__ volatile("ud2");
		break;
	case 5: /* privileged: only ring 0 may halt */
		__asm__ volatile("hlt");
		break;
	case 6: /* a breakpoint: int3 is open to ring 3, like int $0x80 */
		__asm__ volatile("int3");
		break;
	case 7: /* a divide error */
		__asm__ volatile("divl %2" : "=a"(what) : "a"(1), "r"(0) : "edx");
		break;
	case 8: /* int to a gate ring 3 may not use: #GP */
		__asm__ volatile("int $0x21");
		break;
	case 9: /* an x87 instruction: CR0.EM is set, there is no FPU for tasks */
		__asm__ volatile(".byte 0xd9, 0xe8"); /* fld1 */
		break;
	}
	return 0; /* reached only when the kernel failed to stop us */
}
