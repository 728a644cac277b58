/* ktests.h - test suites that run inside the kernel and report TAP. */
#ifndef TEST_KERNEL_KTESTS_H
#define TEST_KERNEL_KTESTS_H

/* CPU state after the trampoline: modes, tables, paging, provoked faults. */
void ktest_boot(void);
/* The memory core with real CPU faults (ring 0 copies to user addresses). */
void ktest_mm(void);
/* User programs in ring 3: fork, COW, faults, bad pointers, OOM... */
void ktest_tasks(void);
/* The disks: round trips on our partitions, refused writes elsewhere. */
void ktest_disk(void);
/* Round trips through the swap backend the boot chose (in the disk suite). */
void ktest_swap_backend(void);
/* Random fork/exit/wait/read/write/sbrk in a tree of tasks. */
void ktest_stress(void);
/* Kernel bugs on purpose (run = panic, run = double-fault): they do not return. */
void ktest_crash_page_fault(void);
void ktest_crash_double_fault(void);

#endif
