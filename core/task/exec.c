/*
 * exec.c - load a built-in user program into a fresh address space.
 *
 * The user programs (user/) are ELF32 executables linked into the kernel
 * image. Each PT_LOAD segment becomes an area: text read-only, data
 * writable; its file bytes are copied into pages now, and the rest (bss)
 * is left to demand-zero. Above the last segment starts the heap (brk),
 * empty at first; below the kernel lies an 8 MiB stack area, of which
 * only the pages the task touches will ever exist.
 */
#include "core/task/task.h"

#include <layout.h>

#include "core/log.h"
#include "lib/elf32.h"
#include "lib/string.h"

#define USER_STACK_SIZE (8u << 20)

extern const struct user_program __user_programs_start[], __user_programs_end[];

const struct user_program *program_find(const char *name)
{
	for (const struct user_program *p = __user_programs_start; p < __user_programs_end; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

void program_for_each(void (*fn)(const struct user_program *p, void *ctx), void *ctx)
{
	for (const struct user_program *p = __user_programs_start; p < __user_programs_end; p++)
		fn(p, ctx);
}

static int load_segment(struct aspace *as, const char *image, const struct elf32_phdr *ph,
			vaddr_t *top)
{
	vaddr_t start = PG_ROUND_DOWN(ph->vaddr), end = PG_ROUND_UP(ph->vaddr + ph->memsz);
	uint32_t flags = (ph->flags & ELF_PF_W ? AREA_WRITE : 0) | (ph->flags & ELF_PF_X ? AREA_EXEC : 0);
	const char *name = ph->flags & ELF_PF_X ? "text" : ph->flags & ELF_PF_W ? "data" : "rodata";

	int rc = vmm_map(as, start, end - start, flags, name);
	if (!rc)
		rc = vmm_load(as, ph->vaddr, image + ph->offset, ph->filesz);
	if (end > *top)
		*top = end;
	return rc;
}

int exec_program(struct task *t, const struct user_program *p, uint32_t *entry, uint32_t *esp)
{
	const char *err = elf32_validate(p->start, (size_t)(p->end - p->start));
	const struct elf32_ehdr *eh = (const void *)p->start;
	vaddr_t top = 0;
	int rc = -ENOMEM;

	if (err) {
		kprintf("exec: %s: %s\n", p->name, err);
		return -ENOEXEC;
	}
	struct aspace *as = vmm_create();
	if (!as)
		return -ENOMEM;
	const struct elf32_phdr *ph = elf32_phdrs(p->start);
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		rc = load_segment(as, p->start, &ph[i], &top);
		if (rc)
			goto bad;
	}
	rc = vmm_map(as, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, AREA_WRITE, "stack");
	if (rc)
		goto bad;
	t->as = as;
	t->heap_start = t->brk = top;
	t->heap = NULL;
	*entry = eh->entry;
	*esp = USER_STACK_TOP;
	return 0;
bad:
	vmm_destroy(as);
	return rc == -EINVAL ? -ENOEXEC : rc;
}
