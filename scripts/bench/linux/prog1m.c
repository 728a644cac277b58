/*
 * prog1m.c - the 1 MiB program the Linux peer execs (lxfile.c).
 *
 * Static, without a C library, so that its file is almost all one
 * read-only array and its run is only what exec and exit themselves cost:
 *     prog1m all    reads one byte of every page of the array, exits 0
 *     prog1m few    exits 0 at once (the pages of the entry path only)
 * Anything else exits 2. The array fills the file to 1 MiB less the
 * headers and the code (linux_peer.py checks the size).
 */
#include <stdint.h>

#define PG 4096u
#define BLOB_BYTES (1024u * 1024u - 2u * PG)
#define NR_EXIT_GROUP 252

/* Non-zero, so that it is stored in the file, not left to bss. */
static const uint8_t blob[BLOB_BYTES] __attribute__((aligned(4096))) = { 1 };

static __attribute__((noreturn)) void leave(int status)
{
	__asm__ volatile("int $0x80" : : "a"(NR_EXIT_GROUP), "b"(status));
	__builtin_unreachable();
}

/* Called by _start with the initial stack: argc, argv[0], argv[1], ... */
__attribute__((noreturn, used)) void start_c(uint32_t *sp)
{
	const char *how = sp[0] >= 2 ? (const char *)sp[2] : "";
	const volatile uint8_t *page = blob; /* every read is done */
	uint32_t sum = 0;

	if (how[0] == 'a' && how[1] == 'l' && how[2] == 'l' && how[3] == 0) {
		for (uint32_t off = 0; off < BLOB_BYTES; off += PG)
			sum += page[off];
		leave(sum == 1 ? 0 : 3); /* only the first byte is 1 */
	}
	if (how[0] == 'f' && how[1] == 'e' && how[2] == 'w' && how[3] == 0)
		leave(0);
	leave(2);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	movl %esp, %eax\n"
	"	andl $-16, %esp\n"
	"	subl $12, %esp\n"
	"	pushl %eax\n"
	"	call start_c\n");
