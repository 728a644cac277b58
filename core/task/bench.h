/*
 * bench.h - the kernel side of the benchmark (core/task/sys_bench.c):
 * run = bench, its system calls, and the bare-fault floor. The figures
 * and the method are in docs/bench.md.
 */
#ifndef CORE_TASK_BENCH_H
#define CORE_TASK_BENCH_H

#include <stdint.h>

struct task;
struct trapframe;

/* run = bench: run user/prog/bench for `rounds` rounds (0: its default)
 * and wait for it; its BENCH lines go to the kernel log. */
void bench_run(uint32_t rounds);

/* The bare-fault floor, asked only by faults about to kill t: returns 1,
 * with tf->eip moved past the instruction, when t armed a skip of exactly
 * this instruction (SYS_bench_skip); 0 otherwise. */
int bench_fault_skip(struct task *t, struct trapframe *tf);

/* System calls 420-429 (include/syscalls.h). */
int32_t sys_bench_report(struct trapframe *tf);
int32_t sys_bench_stash(struct trapframe *tf);
int32_t sys_bench_fetch(struct trapframe *tf);
int32_t sys_bench_skip(struct trapframe *tf);
int32_t sys_bench_alloc(struct trapframe *tf);
int32_t sys_bench_hold(struct trapframe *tf);

#endif
