/*
 * exec.c - load a built-in user program into a fresh address space.
 *
 * The user programs (user/) are ELF32 executables linked into the kernel
 * image. Each PT_LOAD segment becomes an area: text read-only, data
 * writable; its file bytes are copied into pages now, and the rest (bss)
 * is left to demand-zero. Above the last segment starts the heap (brk),
 * empty at first; below the kernel lies an 8 MiB stack area, of which
 * only the pages the task touches will ever exist.
 *
 * Each program is linked twice (Makefile): at 0x08048000 for flat tasks,
 * and at 0x1000 for Linux 0.11-mode tasks, whose segments end at 64 MiB
 * (0.11 linked its programs at 0). A 0.11-mode task's areas lie in its
 * slot: offset x of its segments is linear address base + x, and its
 * stack ends at the top of the slot, where 0.11 put it.
 */
#include "core/task/task.h"

#include <layout.h>

#include "core/log.h"
#include "lib/elf32.h"
#include "lib/string.h"

extern const struct user_program __user_programs_start[], __user_programs_end[];
extern const struct user_program __user_programs011_start[], __user_programs011_end[];

const struct user_program *program_find(const char *name, enum task_mode mode)
{
	const struct user_program *p = __user_programs_start, *end = __user_programs_end;

	if (mode == TASK_MODE_LINUX011) {
		p = __user_programs011_start;
		end = __user_programs011_end;
	}
	for (; p < end; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

uint32_t user_stack_top(const struct aspace *as)
{
	return as->slot ? LINUX011_SLOT_SIZE : USER_STACK_TOP;
}

void program_for_each(void (*fn)(const struct user_program *p, void *ctx), void *ctx)
{
	for (const struct user_program *p = __user_programs_start; p < __user_programs_end; p++)
		fn(p, ctx);
}

/* A PT_LOAD segment at its address in as: offset vaddr is linear base + vaddr. */
static int load_segment(struct aspace *as, const char *image, const struct elf32_phdr *ph,
			vaddr_t *top)
{
	vaddr_t start = as->base + PG_ROUND_DOWN(ph->vaddr);
	vaddr_t end = as->base + PG_ROUND_UP(ph->vaddr + ph->memsz);
	uint32_t flags = (ph->flags & ELF_PF_W ? AREA_WRITE : 0) | (ph->flags & ELF_PF_X ? AREA_EXEC : 0);
	const char *name = ph->flags & ELF_PF_X ? "text" : ph->flags & ELF_PF_W ? "data" : "rodata";

	if (ph->vaddr + ph->memsz < ph->vaddr || ph->vaddr + ph->memsz > as->end - as->base)
		return -EINVAL; /* linked for the other mode: past this segment's end */
	int rc = vmm_map(as, start, end - start, flags, name);
	if (!rc)
		rc = vmm_load(as, as->base + ph->vaddr, image + ph->offset, ph->filesz);
	if (end > *top)
		*top = end;
	return rc;
}

int exec_program(struct task *t, const struct user_program *p, enum task_mode mode,
		 uint32_t *entry, uint32_t *esp)
{
	const char *err = elf32_validate(p->start, (size_t)(p->end - p->start));
	const struct elf32_ehdr *eh = (const void *)p->start;
	struct aspace *as = NULL;
	vaddr_t top = 0;
	int rc = -ENOMEM;

	if (err) {
		kprintf("exec: %s: %s\n", p->name, err);
		return -ENOEXEC;
	}
	if (mode == TASK_MODE_LINUX011)
		rc = vmm_create_linux011(&as);
	else
		as = vmm_create();
	if (!as)
		return rc;
	const struct elf32_phdr *ph = elf32_phdrs(p->start);
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		rc = load_segment(as, p->start, &ph[i], &top);
		if (rc)
			goto bad;
	}
	rc = vmm_map(as, as->base + user_stack_top(as) - USER_STACK_SIZE, USER_STACK_SIZE,
		     AREA_WRITE, "stack");
	if (rc)
		goto bad;
	t->as = as;
	t->heap_start = t->brk = top;
	t->heap = NULL;
	*entry = eh->entry;
	*esp = user_stack_top(as);
	return 0;
bad:
	vmm_destroy(as);
	return rc == -EINVAL ? -ENOEXEC : rc;
}
