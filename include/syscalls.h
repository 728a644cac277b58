/*
 * syscalls.h - the system-call interface, shared by the kernel and user
 * programs. int 0x80 with the Linux i386 convention: EAX = number, EBX,
 * ECX, EDX, ESI, EDI = arguments, EAX = result (negative: -errno).
 * Where Linux has the call, we use its number.
 */
#ifndef INCLUDE_SYSCALL_H
#define INCLUDE_SYSCALL_H

#include <errnum.h>
#include <stdint.h>

#define SYS_exit 1
#define SYS_fork 2
#define SYS_write 4
#define SYS_waitpid 7
#define SYS_getpid 20
#define SYS_kill 37
#define SYS_brk 45
#define SYS_getppid 64
#define SYS_munmap 91
#define SYS_sched_yield 158
#define SYS_nanosleep 162
#define SYS_mmap2 192
/* Ours, above Linux's range. */
#define SYS_sleep_ticks 400 /* sleep n timer ticks (100 Hz) */
#define SYS_mm_stat 401     /* fill struct pg_mm_stat */
#define SYS_page_info 402   /* fill struct pg_page_info for an address */
#define SYS_tap 403         /* report one TAP result in the kernel's numbering */
#define SYS_agent_next 404  /* playground agent: reply, then wait for a command */
#define SYS_spawn 405       /* start a built-in program as a child */
#define SYS_task_stat 406   /* fill struct pg_task_stat for the caller */
#define SYS_mm_check 407    /* run the invariant checker; returns problems */
#define SYS_max 430 /* one past the last number (the benchmark block, 420-429) */


/* mmap2 */
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#define WNOHANG 1

/* Wait status: low 7 bits = why the task ended (0: it called exit). */
#define TERM_ILL 4     /* invalid instruction */
#define TERM_TRAP 5    /* breakpoint */
#define TERM_FPE 8     /* divide error */
#define TERM_KILLED 9  /* killed by kill() or the playground */
#define TERM_SEGV 11   /* bad memory access */
#define TERM_OOM 12    /* no memory for a page it touched */
#define W_EXITED(s) (((s)&0x7f) == 0)
#define W_EXITCODE(s) (((s) >> 8) & 0xff)
#define W_TERM(s) ((s)&0x7f)
#define W_MAKE_EXIT(code) (((code)&0xff) << 8)

struct pg_timespec {
	int32_t tv_sec, tv_nsec;
};

/* SYS_mm_stat: the allocator and fault counters, system-wide and the
 * caller's own. */
struct pg_mm_stat {
	uint32_t free_pages, total_pages;
	uint32_t rss, shared;
	uint32_t faults[8];    /* system-wide, by enum fault_kind */
	uint32_t my_faults[8]; /* the caller's address space */
	uint32_t table_copies, table_reuses;
	uint32_t errors;
};

/* SYS_page_info: the translation of one address in the caller's space. */
struct pg_page_info {
	uint32_t pde, pte;
	uint32_t phys;       /* physical page, 0 if not present */
	uint32_t refs;       /* mem_map count of that page: entries pointing at it */
	uint32_t table_refs; /* of the page table (>1: shared by fork) */
	uint32_t mapcount;   /* address spaces that map this page here */
};

/*
 * The playground agent (user/prog/agent.c): a ring-3 loop that performs
 * the memory accesses a script asks for, so every fault a script causes
 * is a real CPU fault in a real task. SYS_agent_next(reply, cmd) hands
 * in the result of the last command and blocks until the next one.
 */
enum agent_op {
	AGENT_HELLO,  /* reply only: a new agent (spawned or forked) is ready */
	AGENT_READ,   /* value = *(size bytes at addr) */
	AGENT_WRITE,  /* *(size bytes at addr) = value */
	AGENT_FILL,   /* len bytes at addr = value (byte) */
	AGENT_SUM,    /* value = sum of the len bytes at addr */
	AGENT_TOUCH,  /* first byte of each page in [addr, addr+len): read, or
		       * (size 1) write value */
	AGENT_FORK,   /* result = child pid (the child replies AGENT_HELLO) */
	AGENT_EXIT,   /* exit(value) */
	AGENT_SBRK,   /* result = old break, for sbrk(value) */
	AGENT_MMAP,   /* result = mmap(addr, len, prot = value, MAP_FIXED); size 1:
		       * without MAP_FIXED, the kernel picks the place */
	AGENT_MUNMAP, /* result = munmap(addr, len) */
	AGENT_WAIT,   /* result = waitpid(value), status in value; addr not 0: the
		       * kernel writes the status there (and value is read back) */
	AGENT_FAULT,  /* an unchecked access: size 0 read (value), 1 write, 2 jump */
	AGENT_SYSWRITE, /* result = write(1, addr, len): the kernel checks the pointer */
	AGENT_TIME,   /* value = fewest TSC ticks per access over size rounds, one
		       * read per page of [addr, addr+len) a round */
	AGENT_NOPS
};

struct pg_agent_cmd {
	uint32_t op, addr, len, size, value;
};

struct pg_agent_reply {
	uint32_t op;
	int32_t result;
	uint32_t value;
};

/* SYS_task_stat: scheduling facts about the caller. */
struct pg_task_stat {
	uint32_t pid;
	uint32_t switches;    /* times it was switched to */
	uint32_t preemptions; /* times the timer took the CPU from it */
	uint32_t ticks;       /* timer ticks since boot */
};

/*
 * The benchmark (user/prog/bench.c, core/task/sys_bench.c, docs/bench.md):
 * 420-429, used by nothing else.
 */
#define SYS_bench_report 420 /* print one BENCH line for a struct pg_bench_figure */
#define SYS_bench_stash 421  /* keep a 64-bit value in a slot, for another task */
#define SYS_bench_fetch 422  /* read a slot into a uint64_t */
#define SYS_bench_skip 423   /* arm the bare-fault floor: a fault at eip resumes at eip+len */
#define SYS_bench_alloc 424  /* take n pages from the allocator (0: give them all back) */
#define SYS_bench_hold 425   /* hold n pages as ballast (0: release them) */
#define BENCH_SLOTS 4
#define BENCH_NAME_MAX 48
/* The benchmark's argument: rounds, and what the kernel's later passes
 * ask of it (core/task/sys_bench.c). */
#define BENCH_ARG_ROUNDS 0xFFu
#define BENCH_ARG_FORKS 0x100u /* the fork and switch figures only */
#define BENCH_ARG_COPY 0x200u  /* fork copies tables now: names end in _copy */

/* SYS_bench_report: one figure over n rounds, in TSC ticks per page or
 * per operation (instructions, under QEMU's -icount shift=0). */
struct pg_bench_figure {
	char name[BENCH_NAME_MAX];
	uint32_t median, min, max, n;
	int32_t faults_milli; /* faults per page x 1000 in the median round; -1: none */
};

#endif
