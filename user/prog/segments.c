/*
 * segments.c - a task's segments seen from inside, in either mode: a flat
 * task's data segment ends just under 3 GiB, a Linux 0.11-mode task's at
 * 64 MiB (its slot). The kernel must refuse any pointer that runs past
 * the limit, checking in software (an emulator may not check limits), and
 * keep mmap and brk inside the segment; a fork child sees the same
 * offsets, whichever slot it got.
 */
#include <ulib.h>

#define LINUX011_END 0x04000000u /* 64 MiB */
#define FLAT_END 0xC0000000u
#define ANON_FIXED (MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS)

static volatile uint32_t shared_word = 0x5E6u;

int main(void)
{
	/* The 0.11 link puts text at 0x1000, the flat one at 0x08048000. */
	int linux011 = (uint32_t)main < LINUX011_END;
	uint32_t end = linux011 ? LINUX011_END : FLAT_END, here;
	struct pg_mm_stat st;
	struct pg_page_info info;
	int status;

	printf("segments: %s mode, the data segment ends at 0x%08x\n",
	       linux011 ? "Linux 0.11" : "flat", end);
	tap((uint32_t)&here < end && (uint32_t)&here > end - (8u << 20),
	    "the stack is at the top of the segment (0x%08x)", (uint32_t)&here);
	tap_eq(write(1, (void *)end, 4), -EFAULT, "write() from the first byte past the limit");
	tap_eq(write(1, (void *)(end - 2), 4), -EFAULT, "write() of a buffer that runs past it");
	tap_eq(mm_stat((struct pg_mm_stat *)(end - 8)), -EFAULT, "mm_stat() into the last bytes, "
	       "and past them");
	tap_eq(mm_stat(&st), 0, "mm_stat() on the stack, below the limit");
	tap_eq(page_info((void *)end, &info), -EFAULT, "page_info() of an address past the limit");
	tap_eq(page_info((const void *)&shared_word, &info), 0, "page_info() of our data");
	tap(mmap((void *)end, 4096, PROT_READ | PROT_WRITE, ANON_FIXED) == MAP_FAILED,
	    "mmap() at the limit is refused");
	tap(mmap((void *)(end - (4u << 20)), 4096, PROT_READ | PROT_WRITE, ANON_FIXED) == MAP_FAILED,
	    "mmap() over the stack area is refused");
	char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	tap(m != MAP_FAILED && (uint32_t)m < end, "mmap() finds room inside the segment (0x%08x)",
	    (uint32_t)m);
	char *old = sbrk(0);
	tap(brk((void *)(end + 4096)) == old, "brk() past the limit leaves the break alone");
	if (m != MAP_FAILED) {
		m[0] = 42;
		munmap(m, 4096);
	}
	tap_eq(munmap((void *)end, 4096), -EINVAL, "munmap() past the limit");
	shared_word = 0x70F7u;
	int pid = fork();
	if (pid == 0) {
		/* The same offsets in the child, in its own slot in 0.11 mode. */
		exit(shared_word == 0x70F7u && write(1, (void *)end, 1) == -EFAULT ? 7 : 1);
	}
	tap(pid > 0 && waitpid(pid, &status, 0) == pid && W_EXITCODE(status) == 7,
	    "a fork child sees our data at the same offsets, and the same limit");
	return 0;
}
