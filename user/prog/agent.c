/*
 * agent.c - the playground's hands in ring 3.
 *
 * A playground task runs this loop: hand the result of the last command
 * to the kernel and wait for the next (SYS_agent_next), then do it here,
 * in user mode, in this task's own address space. When a script says
 * "write a 0x10000000 42", this is the instruction that faults and that
 * the kernel serves; the kernel's script interpreter never touches user
 * memory itself.
 */
#include <bench_timing.h> /* the benchmark's fenced TSC read */
#include <ulib.h>

static int32_t agent_next(const struct pg_agent_reply *r, struct pg_agent_cmd *c)
{
	return syscall2(SYS_agent_next, (uint32_t)r, (uint32_t)c);
}

static uint32_t load(uint32_t addr, uint32_t size)
{
	if (size == 1)
		return *(volatile uint8_t *)addr;
	if (size == 2)
		return *(volatile uint16_t *)addr;
	return *(volatile uint32_t *)addr;
}

static void store(uint32_t addr, uint32_t size, uint32_t v)
{
	if (size == 1)
		*(volatile uint8_t *)addr = (uint8_t)v;
	else if (size == 2)
		*(volatile uint16_t *)addr = (uint16_t)v;
	else
		*(volatile uint32_t *)addr = v;
}

static uint32_t sum(uint32_t addr, uint32_t len)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s += *(volatile uint8_t *)(addr + i);
	return s;
}

/* One access per page, at its first byte: a read, or a plain store of
 * value (a store, not read-modify-write: a missing page takes exactly one
 * fault, a write fault). */
static void touch(uint32_t addr, uint32_t len, int write, uint8_t value)
{
	for (uint32_t a = addr & ~0xFFFu; a < addr + len; a += 4096) {
		if (write)
			*(volatile uint8_t *)a = value;
		else
			(void)*(volatile uint8_t *)a;
	}
}

/* OSTEP's TLB measurement: one read per page over [addr, addr + len), the
 * pages present already; passes enough for about 4096 accesses a round,
 * rounds times; the fewest ticks per access of any round. */
static uint32_t time_pages(uint32_t addr, uint32_t len, uint32_t rounds)
{
	uint32_t pages = len / 4096, passes = pages < 4096 ? 4096 / pages : 1, best = ~0u;

	for (uint32_t r = 0; r < rounds; r++) {
		uint64_t t0 = bench_tsc();
		for (uint32_t n = 0; n < passes; n++)
			for (uint32_t a = addr; a < addr + len; a += 4096)
				(void)*(volatile uint8_t *)a;
		uint64_t per = (bench_tsc() - t0) / ((uint64_t)passes * pages);
		if (per < best)
			best = (uint32_t)per;
	}
	return best;
}

/* An unchecked access: a read (its value is the reply's), a write of 1,
 * or a jump. */
static uint32_t fault(uint32_t addr, uint32_t how)
{
	if (how == 2)
		((void (*)(void))addr)();
	else if (how == 1)
		store(addr, 4, 1);
	else
		return load(addr, 4);
	return 0;
}

static void perform(const struct pg_agent_cmd *c, struct pg_agent_reply *r)
{
	r->op = c->op;
	r->result = 0;
	r->value = 0;
	switch (c->op) {
	case AGENT_READ:
		r->value = load(c->addr, c->size);
		break;
	case AGENT_WRITE:
		store(c->addr, c->size, c->value);
		break;
	case AGENT_FILL:
		for (uint32_t i = 0; i < c->len; i++)
			*(volatile uint8_t *)(c->addr + i) = (uint8_t)c->value;
		break;
	case AGENT_SUM:
		r->value = sum(c->addr, c->len);
		break;
	case AGENT_TOUCH:
		touch(c->addr, c->len, c->size == 1, (uint8_t)c->value);
		break;
	case AGENT_FORK:
		r->result = fork();
		if (r->result == 0)
			r->op = AGENT_HELLO; /* the child introduces itself */
		break;
	case AGENT_EXIT:
		exit((int)c->value);
	case AGENT_SBRK:
		r->result = (int32_t)sbrk((int32_t)c->value);
		break;
	case AGENT_MMAP:
		/* The system call itself: the playground wants the errno. */
		r->result = syscall6(SYS_mmap2, c->addr, c->len, c->value,
				     MAP_PRIVATE | MAP_ANONYMOUS | (c->size ? 0 : MAP_FIXED),
				     (uint32_t)-1, 0);
		break;
	case AGENT_MUNMAP:
		r->result = munmap((void *)c->addr, c->len);
		break;
	case AGENT_WAIT:
		/* With an address, the kernel's copy of the status lands in memory
		 * the script chose: a page shared copy-on-write, say. */
		r->result = waitpid((int)c->value, c->addr ? (int *)c->addr : (int *)&r->value, 0);
		if (c->addr && r->result > 0)
			r->value = load(c->addr, 4);
		break;
	case AGENT_FAULT:
		r->value = fault(c->addr, c->size);
		break;
	case AGENT_SYSWRITE:
		r->result = write(1, (const void *)c->addr, c->len);
		break;
	case AGENT_TIME:
		r->value = c->len >= 4096 && c->size ? time_pages(c->addr, c->len, c->size) : 0;
		break;
	default:
		r->result = -EINVAL;
	}
}

int main(void)
{
	struct pg_agent_reply reply = { AGENT_HELLO, 0, 0 };
	struct pg_agent_cmd cmd;

	for (;;) {
		if (agent_next(&reply, &cmd) < 0)
			return 0; /* the kernel sent us away (killed or the script ended) */
		perform(&cmd, &reply);
	}
}
