/*
 * uaccess.c - the only way the kernel touches user memory.
 *
 * Every pointer a task passes is checked against its areas first (and,
 * for writes, that the areas are writable): a kernel address or a hole
 * gives -EFAULT before any access. The copy itself may still fault, on a
 * page not yet touched or shared copy-on-write; the page-fault handler
 * serves those as if the task had made the access (core/mm/fault.c).
 */
#include "core/task/task.h"

#include <layout.h>

int arch_copy_user(void *dst, const void *src, uint32_t n);
int arch_strnlen_user(const char *s, uint32_t max);

/* Bytes from va that lie in consecutive areas (writable ones if write). */
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

static int range_ok(vaddr_t va, uint32_t n, int write)
{
	if (va + n < va || va + n > USER_TOP)
		return 0;
	return user_extent(current->as, va, n, write) == n;
}

int copy_from_user(void *dst, vaddr_t src, uint32_t n)
{
	if (!range_ok(src, n, 0))
		return -EFAULT;
	return n ? arch_copy_user(dst, (const void *)src, n) : 0;
}

int copy_to_user(vaddr_t dst, const void *src, uint32_t n)
{
	if (!range_ok(dst, n, 1))
		return -EFAULT;
	return n ? arch_copy_user((void *)dst, src, n) : 0;
}

int strncpy_from_user(char *dst, vaddr_t src, uint32_t max)
{
	if (src >= USER_TOP)
		return -EFAULT;
	uint32_t room = user_extent(current->as, src, max, 0);
	if (!room)
		return -EFAULT;
	int len = arch_strnlen_user((const char *)src, room);
	if (len < 0)
		return len;
	if ((uint32_t)len == room)
		return room < max ? -EFAULT : -ENAMETOOLONG; /* off the area, or too long */
	int rc = arch_copy_user(dst, (const void *)src, (uint32_t)len + 1);
	return rc ? rc : len;
}
