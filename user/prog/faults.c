/*
 * faults.c - tasks doing forbidden things are killed with the right cause
 * and the others go on: each bad access runs in a child (badaccess).
 */
#include <ulib.h>

static const struct {
	const char *what;
	int term;
} cases[] = {
	{ "reading address 0", TERM_SEGV },
	{ "writing its own text", TERM_SEGV },
	{ "writing a kernel address", TERM_SEGV },
	{ "jumping to an unmapped address", TERM_SEGV },
	{ "an invalid instruction", TERM_ILL },
	{ "a privileged instruction", TERM_SEGV },
	{ "a breakpoint (int3)", TERM_TRAP },
	{ "a divide error", TERM_FPE },
	{ "int to a kernel-only gate", TERM_SEGV },
	{ "an x87 instruction (no FPU)", TERM_ILL },
};

int main(void)
{
	for (uint32_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int status = -1, pid = spawn("badaccess", i);
		waitpid(pid, &status, 0);
		tap_eq(W_TERM(status), (uint32_t)cases[i].term, "%s kills the task",
		       cases[i].what);
	}
	tap(1, "the parent goes on after %u killed children",
	    (unsigned)(sizeof cases / sizeof cases[0]));
	return 0;
}
