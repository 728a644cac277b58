/* ktests.h - test suites that run inside the kernel and report TAP. */
#ifndef TEST_KERNEL_KTESTS_H
#define TEST_KERNEL_KTESTS_H

/* CPU state after the trampoline: modes, tables, paging, provoked faults. */
void ktest_boot(void);

#endif
