/*
 * uaccess.c - the only way the kernel touches user memory.
 *
 * A task hands the kernel offsets in its data segment, as its own
 * instructions use them. Each pointer is checked as the CPU would check
 * the task's access, and then some:
 *
 *   the segment   every byte at or below the data segment's limit, read
 *                 from the task's LDT; linear = base + offset. This is
 *                 done in software, so it holds on an emulator that does
 *                 not check limits (QEMU's TCG): a Linux 0.11-mode task
 *                 cannot hand us a pointer into its neighbour's slot.
 *                 (0.11's verify_area adds the base the same way.)
 *   the areas     the linear range lies in the task's areas (writable
 *                 ones, for writes): a kernel address or a hole gives
 *                 -EFAULT before any access.
 *
 * The copy itself may still fault, on a page not yet touched or shared
 * copy-on-write; the page-fault handler serves those as if the task had
 * made the access (core/mm/fault.c).
 */
#include "core/task/task.h"

#include <arch/segment.h>
#include <layout.h>

int arch_copy_user(void *dst, const void *src, uint32_t n);
int arch_strnlen_user(const char *s, uint32_t max);

int user_segment(const struct task *t, uint32_t *base, uint32_t *limit)
{
	const struct seg_desc *ldt = ldt_entries(t->ldt_sel);

	if (!ldt)
		return -1;
	*base = seg_base(&ldt[LDT_DATA]);
	*limit = seg_limit(&ldt[LDT_DATA]);
	return 0;
}

int user_linear(const struct task *t, vaddr_t off, uint32_t n, vaddr_t *linear)
{
	uint32_t base, limit;

	if (user_segment(t, &base, &limit) || off > limit || (n && n - 1 > limit - off))
		return -EFAULT;
	*linear = base + off;
	return 0;
}

/* Bytes from va (linear) that lie in consecutive areas (writable ones if write). */
static uint32_t user_extent(struct aspace *as, vaddr_t va, uint32_t want, int write)
{
	uint32_t got = 0;

	while (as && got < want) {
		struct area *a = vmm_find_area(as, va + got);
		if (!a || (write && !(a->flags & AREA_WRITE)))
			break;
		got = a->end - va;
	}
	return got < want ? got : want;
}

/* The linear address of a range the current task may read (or write). */
static int range_ok(vaddr_t off, uint32_t n, int write, vaddr_t *va)
{
	if (user_linear(current, off, n, va) || *va + n < *va || *va + n > USER_TOP)
		return 0;
	return user_extent(current->as, *va, n, write) == n;
}

int copy_from_user(void *dst, vaddr_t src, uint32_t n)
{
	vaddr_t va;

	if (!range_ok(src, n, 0, &va))
		return -EFAULT;
	return n ? arch_copy_user(dst, (const void *)va, n) : 0;
}

int copy_to_user(vaddr_t dst, const void *src, uint32_t n)
{
	vaddr_t va;

	if (!range_ok(dst, n, 1, &va))
		return -EFAULT;
	return n ? arch_copy_user((void *)va, src, n) : 0;
}

int strncpy_from_user(char *dst, vaddr_t src, uint32_t max)
{
	uint32_t base, limit;
	vaddr_t va;

	if (user_segment(current, &base, &limit) || src > limit)
		return -EFAULT;
	va = base + src;
	if (va >= USER_TOP)
		return -EFAULT;
	/* As far as the segment and the areas go: a NUL must come before. */
	uint32_t room = user_extent(current->as, va, max, 0);
	if (room && room - 1 > limit - src)
		room = limit - src + 1;
	if (!room)
		return -EFAULT;
	int len = arch_strnlen_user((const char *)va, room);
	if (len < 0)
		return len;
	if ((uint32_t)len == room)
		return room < max ? -EFAULT : -ENAMETOOLONG; /* off the area, or too long */
	int rc = arch_copy_user(dst, (const void *)va, (uint32_t)len + 1);
	return rc ? rc : len;
}
