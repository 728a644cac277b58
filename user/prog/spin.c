/*
 * spin.c - a busy loop that never yields: only the timer can take the CPU
 * away. With arg = 0 it is the parent: it starts two spinners and checks
 * that both finished and both were preempted.
 */
#include <ulib.h>

#define LOOPS 20000000u

static int spinner(void)
{
	struct pg_task_stat s;
	volatile uint32_t n = 0;

	while (n < LOOPS)
		n++;
	task_stat(&s);
	return s.preemptions > 0xFF ? 0xFF : (int)s.preemptions;
}

int main(uint32_t role)
{
	int status[2], pid[2];

	if (role)
		return spinner();
	pid[0] = spawn("spin", 1);
	pid[1] = spawn("spin", 1);
	for (int i = 0; i < 2; i++) {
		waitpid(pid[i], &status[i], 0);
		tap(W_EXITED(status[i]) && W_EXITCODE(status[i]) >= 1,
		    "busy task %d finished and was preempted %d times", i + 1,
		    W_EXITCODE(status[i]));
	}
	return 0;
}
