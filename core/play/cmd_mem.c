/*
 * cmd_mem.c - playground commands that touch memory. Each one is carried
 * out in ring 3 by the task's agent, so the faults are real; the
 * interpreter first checks that the range lies in the task's areas (and
 * is writable for writes), so that a typo is an error message, not a dead
 * task. "fault" skips the check on purpose.
 *
 * Addresses are offsets in the task's data segment, as its instructions
 * use them: base + offset is the linear address (base 0 for a flat task,
 * its slot for a Linux 0.11-mode one). "syswrite" hands an address to the
 * kernel instead; "segment" changes the task's data segment.
 */
#include "core/play/interp.h"

#include <arch/context.h>
#include <arch/segment.h>
#include <arch/trap.h>
#include <layout.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

/* Is [addr, addr+len) inside t's data segment and its areas (writable
 * ones if write)? addr is an offset; the areas are linear. */
int in_areas(struct play *p, struct ptask *t, uint32_t addr, uint32_t len, int write)
{
	struct task *k = ptask_task(t);
	struct aspace *as = k->as;
	uint32_t base, limit, va;

	if (!len || addr + len < addr || user_segment(k, &base, &limit))
		return play_error(p, "range 0x%08x+0x%x is not in user space", addr, len);
	if (user_linear(k, addr, len, &va))
		return play_error(p, "range 0x%08x+0x%x runs past %s's data segment limit 0x%08x "
				  "('fault' makes the access anyway)", addr, len, t->name, limit);
	for (uint32_t at = va; at < va + len;) {
		struct area *a = vmm_find_area(as, at);
		if (!a)
			return play_error(p, "0x%08x is outside %s's areas (see 'show areas %s'; "
					  "'fault' makes a bad access on purpose)", at - base, t->name,
					  t->name);
		if (write && !(a->flags & AREA_WRITE))
			return play_error(p, "0x%08x is in %s's read-only area '%s'", at - base, t->name,
					  a->name);
		at = a->end;
	}
	return 0;
}

/* Does value fit in an access of size bytes? As an unsigned number or a
 * negative one (-1 is 0xff in a byte); else an error, not a silent cut. */
static int fits(struct play *p, uint32_t value, uint32_t size)
{
	uint32_t max = size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
	int32_t min = -(int32_t)(max / 2) - 1;

	if (value <= max || ((int32_t)value < 0 && (int32_t)value >= min))
		return 0;
	return play_error(p, "value 0x%x does not fit in a %s (%u bits)", value,
			  size == 1 ? "byte" : "half", size * 8);
}

/* The task and the address of a memory command, checked. */
static struct ptask *task_and_addr(struct play *p, char **argv, uint32_t *addr)
{
	struct ptask *t = arg_agent(p, argv[1]);

	if (!t || arg_number(p, argv[2], addr))
		return NULL;
	return t;
}

/* mmap returns an address or -errno: an address at or above 2 GiB is
 * negative as an int, so only the last 4095 values are errors (Linux's
 * IS_ERR_VALUE). */
static int mmap_failed(int32_t result)
{
	return result < 0 && result >= -4095;
}

/* Why mmap or munmap failed, from its error code (sys_mmap2, vmm_map,
 * vmm_unmap say which code means what). */
#define STR_(x) #x
#define STR(x) STR_(x)
static const char *map_cause(int err)
{
	switch (err) {
	case EINVAL:
		return "not page aligned, or no length";
	case EFAULT:
		return "outside user space";
	case EEXIST:
		return "it overlaps an area (see 'show areas')";
	case ENOMEM:
		return "too many areas (" STR(AREAS_PER_SPACE) " per task)";
	case ENOSPC:
		return "no gap that big below the stack";
	default:
		return "unexpected error";
	}
}

/* mmap in the agent: at addr (MAP_FIXED), or anywhere the kernel finds
 * room (the agent's size 1, syscalls.h); *start is where the area is. */
static int map_in_agent(struct play *p, struct ptask *t, uint32_t addr, uint32_t len,
			uint32_t prot, int anywhere, uint32_t *start)
{
	struct pg_agent_cmd c = { AGENT_MMAP, addr, len, (uint32_t)anywhere, prot };
	struct pg_agent_reply r;

	if (addr & 0xFFF || len & 0xFFF || !len)
		return play_error(p, "area 0x%08x+0x%x is not page aligned", addr, len);
	if (agent_do(p, t, &c, &r))
		return -1;
	if (mmap_failed(r.result) && anywhere)
		return play_error(p, "mmap of 0x%x bytes failed: error %d: %s", len, -r.result,
				  map_cause(-r.result));
	if (mmap_failed(r.result))
		return play_error(p, "mmap 0x%08x+0x%x failed: error %d: %s", addr, len, -r.result,
				  map_cause(-r.result));
	addr = *start = (uint32_t)r.result;
	play_say("%s: area 0x%08x-0x%08x %s%s", t->name, addr, addr + len - 1,
		 prot & PROT_WRITE ? "rw" : "r", anywhere ? " (the kernel chose the place)" : "");
	return 0;
}

int map_area(struct play *p, struct ptask *t, uint32_t addr, uint32_t len, uint32_t prot)
{
	uint32_t start;

	return map_in_agent(p, t, addr, len, prot, 0, &start);
}

/* map <task> <addr>|any <len> [r|rw]: with "any", mmap without an
 * address, as malloc does for a big block. The start is the value. */
static int cmd_map(struct play *p, int argc, char **argv)
{
	uint32_t addr = 0, len, prot = PROT_READ | PROT_WRITE;
	int anywhere = !strcmp(argv[2], "any");
	struct ptask *t = anywhere ? arg_agent(p, argv[1]) : task_and_addr(p, argv, &addr);

	if (!t || arg_number(p, argv[3], &len) || (argc > 4 && arg_rights(p, argv[4], &prot)) ||
	    map_in_agent(p, t, addr, len, prot, anywhere, &addr))
		return -1;
	p->value = addr;
	p->have_value = 1;
	return 0;
}

static int cmd_unmap(struct play *p, int argc, char **argv)
{
	uint32_t addr, len;
	struct ptask *t = task_and_addr(p, argv, &addr);
	struct pg_agent_reply r;

	(void)argc;
	if (!t || arg_number(p, argv[3], &len))
		return -1;
	struct pg_agent_cmd c = { AGENT_MUNMAP, addr, len, 0, 0 };
	if (agent_do(p, t, &c, &r))
		return -1;
	if (r.result < 0)
		return play_error(p, "munmap 0x%08x+0x%x failed: error %d: %s", addr, len,
				  -r.result,
				  r.result == -EINVAL ? "not page aligned, or outside user space"
						      : map_cause(-r.result));
	play_say("%s: unmapped 0x%08x-0x%08x", t->name, addr, addr + len - 1);
	return 0;
}

static int cmd_read(struct play *p, int argc, char **argv)
{
	uint32_t addr, size = 4;
	struct ptask *t = task_and_addr(p, argv, &addr);
	struct pg_agent_reply r;

	if (!t || (argc > 3 && arg_size(p, argv[3], &size)) || in_areas(p, t, addr, size, 0))
		return -1;
	struct pg_agent_cmd c = { AGENT_READ, addr, 0, size, 0 };
	if (agent_do(p, t, &c, &r))
		return -1;
	p->value = r.value;
	p->have_value = 1;
	play_say("%s: read 0x%08x = 0x%0*x (%u)", t->name, addr, (int)size * 2, r.value, r.value);
	return 0;
}

static int cmd_write(struct play *p, int argc, char **argv)
{
	uint32_t addr, value, size = 4;
	struct ptask *t = task_and_addr(p, argv, &addr);
	struct pg_agent_reply r;

	if (!t || arg_number(p, argv[3], &value) || (argc > 4 && arg_size(p, argv[4], &size)) ||
	    fits(p, value, size) || in_areas(p, t, addr, size, 1))
		return -1;
	if (size < 4)
		value &= (1u << size * 8) - 1;
	struct pg_agent_cmd c = { AGENT_WRITE, addr, 0, size, value };
	if (agent_do(p, t, &c, &r))
		return -1;
	play_say("%s: wrote 0x%08x = 0x%0*x", t->name, addr, (int)size * 2, value);
	return 0;
}

static int cmd_fill(struct play *p, int argc, char **argv)
{
	uint32_t addr, len, byte;
	struct ptask *t = task_and_addr(p, argv, &addr);
	struct pg_agent_reply r;

	(void)argc;
	if (!t || arg_number(p, argv[3], &len) || arg_number(p, argv[4], &byte) ||
	    fits(p, byte, 1) || in_areas(p, t, addr, len, 1))
		return -1;
	struct pg_agent_cmd c = { AGENT_FILL, addr, len, 0, byte & 0xFF };
	if (agent_do_range(p, t, &c, &r))
		return -1;
	play_say("%s: filled 0x%08x-0x%08x with 0x%02x", t->name, addr, addr + len - 1,
		 byte & 0xFF);
	return 0;
}

static int cmd_sum(struct play *p, int argc, char **argv)
{
	uint32_t addr, len;
	struct ptask *t = task_and_addr(p, argv, &addr);
	struct pg_agent_reply r;

	(void)argc;
	if (!t || arg_number(p, argv[3], &len) || in_areas(p, t, addr, len, 0))
		return -1;
	struct pg_agent_cmd c = { AGENT_SUM, addr, len, 0, 0 };
	if (agent_do_range(p, t, &c, &r))
		return -1;
	p->value = r.value;
	p->have_value = 1;
	play_say("%s: sum of 0x%08x-0x%08x = %u", t->name, addr, addr + len - 1, r.value);
	return 0;
}

static int cmd_touch(struct play *p, int argc, char **argv)
{
	uint32_t addr, len, value = 0;
	struct ptask *t = task_and_addr(p, argv, &addr);
	struct pg_agent_reply r;
	int write = 0;

	if (!t || arg_number(p, argv[3], &len))
		return -1;
	if (argc > 4 && strcmp(argv[4], "read") && !(write = !strcmp(argv[4], "write")))
		return play_error(p, "bad access '%s' (read or write)", argv[4]);
	if (argc > 5 && (!write || arg_number(p, argv[5], &value) || fits(p, value, 1)))
		return write ? -1 : play_error(p, "only a write takes a value");
	if (in_areas(p, t, addr, len, write))
		return -1;
	struct pg_agent_cmd c = { AGENT_TOUCH, addr, len, (uint32_t)write, value & 0xFF };
	if (agent_do_range(p, t, &c, &r))
		return -1;
	uint32_t pages = ((addr + len - 1) >> 12) - (addr >> 12) + 1;
	play_say("%s: touched %u page%s (%s)", t->name, pages, pages == 1 ? "" : "s",
		 write ? "write" : "read");
	return 0;
}

static int cmd_sbrk(struct play *p, int argc, char **argv)
{
	uint32_t delta;
	struct ptask *t = arg_agent(p, argv[1]);
	struct pg_agent_reply r;

	(void)argc;
	if (!t || arg_number(p, argv[2], &delta))
		return -1;
	struct pg_agent_cmd c = { AGENT_SBRK, 0, 0, 0, delta };
	if (agent_do(p, t, &c, &r))
		return -1;
	if (r.result == -1)
		return play_error(p, "sbrk %d failed", (int32_t)delta);
	p->value = (uint32_t)r.result;
	p->have_value = 1;
	play_say("%s: break moved from 0x%08x to 0x%08x", t->name, (uint32_t)r.result,
		 (uint32_t)r.result + delta);
	return 0;
}

/* fault <task> read|write|exec <addr>: no checks; the CPU decides. */
static int cmd_fault(struct play *p, int argc, char **argv)
{
	static const char *const kinds[] = { "read", "write", "exec" };
	struct ptask *t = arg_agent(p, argv[1]);
	uint32_t addr, how = 3;
	struct pg_agent_reply r;

	(void)argc;
	for (uint32_t i = 0; i < 3; i++)
		if (!strcmp(argv[2], kinds[i]))
			how = i;
	if (!t || arg_number(p, argv[3], &addr))
		return -1;
	if (how == 3)
		return play_error(p, "bad access '%s' (read, write or exec)", argv[2]);
	struct pg_agent_cmd c = { AGENT_FAULT, addr, 0, how, 0 };
	if (agent_do(p, t, &c, &r) != 0)
		return 0; /* the task died, as the script may have meant: agent_do said how */
	if (how == 0) {
		p->value = r.value;
		p->have_value = 1;
		play_say("%s: the read at 0x%08x went through: 0x%08x", t->name, addr, r.value);
	} else {
		play_say("%s: the %s at 0x%08x went through", t->name, kinds[how], addr);
	}
	return 0;
}

/* syswrite <task> <addr> <len>: the task calls write(1, addr, len), so
 * the kernel reads its memory through a pointer it was handed: the
 * kernel's own checks (segment limit, areas), on every CPU. */
static int cmd_syswrite(struct play *p, int argc, char **argv)
{
	uint32_t addr, len, base, limit;
	struct ptask *t = task_and_addr(p, argv, &addr);
	struct pg_agent_reply r;

	(void)argc;
	if (!t || arg_number(p, argv[3], &len))
		return -1;
	struct pg_agent_cmd c = { AGENT_SYSWRITE, addr, len, 0, 0 };
	if (agent_do(p, t, &c, &r))
		return -1;
	user_segment(ptask_task(t), &base, &limit);
	int past = len && (addr > limit || len - 1 > limit - addr);
	play_say("%s: write(1, 0x%08x, %u) = %d%s", t->name, addr, len, r.result,
		 r.result != -EFAULT ? ""
		 : past ? " (EFAULT: past the data segment's limit, checked by the kernel in "
			  "software on any CPU)"
			: " (EFAULT: not in its areas)");
	p->value = (uint32_t)r.result;
	p->have_value = 1;
	return 0;
}

#define SEGMENT_USAGE                                                                  \
	"usage: segment <task> data limit <n> | segment <task> code|data 16bit | segment " \
	"<task> data expand-down | segment <task> code conforming"

static int refused(struct play *p, struct ptask *t, const char *which, const char *why)
{
	return play_error(p, "%s's %s segment: refused: %s", t->name, which, why);
}

/* The change a "segment" command asks for, applied to s; what this
 * command refuses before the encoder is asked is refused here. */
static int segment_change(struct play *p, struct ptask *t, unsigned index, int argc, char **argv,
			  struct seg_spec *s)
{
	struct task *k = ptask_task(t);
	const char *what = argv[3];
	uint32_t n;

	if (!strcmp(what, "limit") && argc == 5) {
		if (index == LDT_CODE)
			return refused(p, t, argv[2], "a code limit below the task's EIP would make "
				       "the kernel's own iret fault on the way back to ring 3, a "
				       "return path of its own");
		if (arg_number(p, argv[4], &n))
			return -1;
		if (n > k->as->end - k->as->base - 1)
			return refused(p, t, argv[2], "a limit past the task's address space (flat: "
				       "3 GiB; 0.11 mode: its 64 MiB slot)");
		s->limit = n;
	} else if (!strcmp(what, "16bit") && argc == 4) {
		s->bits = 16;
	} else if (!strcmp(what, "expand-down") && argc == 4 && index == LDT_DATA) {
		s->expand_down = 1;
	} else if (!strcmp(what, "conforming") && argc == 4 && index == LDT_CODE) {
		s->conforming = 1;
	} else if (!strcmp(what, "base")) {
		return refused(p, t, argv[2], "a new base: the kernel keeps the task's pages at "
			       "linear base + offset, they would be left behind");
	} else {
		return play_error(p, SEGMENT_USAGE);
	}
	return 0;
}

/* segment <task> data limit <n> | segment <task> code|data 16bit |
 * data expand-down | code conforming: change the task's LDT, as 0.11's
 * set_limit does (fs/exec.c change_ldt). The CPU takes the new limit at
 * the next load of the segment register: on the way back to ring 3. */
static int cmd_segment(struct play *p, int argc, char **argv)
{
	struct ptask *t = arg_task(p, argv[1]);
	unsigned index = !strcmp(argv[2], "code") ? LDT_CODE : !strcmp(argv[2], "data") ? LDT_DATA : 0;
	struct seg_spec s;
	const char *why;

	if (!t)
		return -1;
	if (!index)
		return play_error(p, SEGMENT_USAGE);
	struct task *k = ptask_task(t);
	struct seg_desc *ldt = ldt_entries(k->ldt_sel);
	seg_decode(&ldt[index], &s, NULL);
	if (segment_change(p, t, index, argc, argv, &s))
		return -1;
	if (ldt_set(k->ldt_sel, index, &s, &why))
		return refused(p, t, argv[2], why);
	play_say("%s: LDT[%u] %s: base 0x%08x limit 0x%08x", t->name, index, argv[2],
		 seg_base(&ldt[index]), seg_limit(&ldt[index]));
	const struct trapframe *tf = context_user_frame(k);
	if (index == LDT_DATA && tf->user_esp - 1 > seg_limit(&ldt[index]))
		play_say("%s's stack (ESP 0x%08x) is past it now: where limits are checked, its "
			 "next push is a #SS", t->name, tf->user_esp);
	return 0;
}

const struct command mem_commands[] = {
	{ "map", 3, 4, cmd_map, "<task> <addr>|any <len> [r|rw]", "add an anonymous area (mmap)" },
	{ "unmap", 3, 3, cmd_unmap, "<task> <addr> <len>", "remove pages and areas (munmap)" },
	{ "read", 2, 3, cmd_read, "<task> <addr> [byte|half|word]", "read in ring 3" },
	{ "write", 3, 4, cmd_write, "<task> <addr> <value> [byte|half|word]", "write in ring 3" },
	{ "fill", 4, 4, cmd_fill, "<task> <addr> <len> <byte>", "write a range" },
	{ "sum", 3, 3, cmd_sum, "<task> <addr> <len>", "read a range: sum of its bytes" },
	{ "touch", 3, 5, cmd_touch, "<task> <addr> <len> [read|write [byte]]",
	  "one access per page (a write stores byte, 0 by default)" },
	{ "sbrk", 2, 2, cmd_sbrk, "<task> <delta>", "move the break (grow or shrink the heap)" },
	{ "fault", 3, 3, cmd_fault, "<task> read|write|exec <addr>", "an unchecked access" },
	{ "syswrite", 3, 3, cmd_syswrite, "<task> <addr> <len>",
	  "the task calls write(1, addr, len): the kernel checks the pointer" },
	{ "segment", 3, 4, cmd_segment, "<task> data limit <n> | <task> code|data <kind>",
	  "change the task's LDT (16bit, expand-down... are refused)" },
	{ 0, 0, 0, 0, 0, 0 },
};
