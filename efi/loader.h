/* loader.h - internal interfaces of the 64-bit UEFI loader (BOOTX64.EFI). */
#ifndef EFI_LOADER_H
#define EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdint.h>

#include <bootinfo.h>
#include <layout.h>

/* Highest address + 1 for anything the 32-bit side reads or executes. */
#define LOADER_ALLOC_LIMIT DIRECT_MAP_MAX

/* console.c: every line goes to ConOut, to a UART when ConOut lacks one,
 * and into a buffer the kernel later replays into its own log. */
void con_init(void);
void lprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int con_serial_in_conout(void);
void con_copy_log(struct bootinfo *bi);

/* Allocate pages below LOADER_ALLOC_LIMIT; returns 0 on failure. */
uint64_t alloc_low_pages(EFI_MEMORY_TYPE type, UINTN pages);

/* kernel.c: load the embedded kernel.elf below the limit and relocate it. */
struct kernel_image {
	uint64_t phys;
	uint32_t virt, size, entry, delta, nrelocs;
};
EFI_STATUS load_kernel(struct kernel_image *out);

/* files.c: the ESP the loader was started from. */
EFI_STATUS esp_open(EFI_HANDLE image);
/* Read a whole file of at most max bytes into pages below the limit.
 * *phys = 0 if absent; EFI_BAD_BUFFER_SIZE if longer, with *size its
 * length (UINT32_MAX if that does not fit). */
EFI_STATUS esp_read_file(const char *path, uint64_t *phys, uint32_t *size, uint32_t max);
void esp_close(void);

/* platform.c: facts gathered from the firmware. */
void find_framebuffer(struct bi_framebuffer *fb);
void find_rsdp(uint64_t *rsdp, uint32_t *rev);
/* The GPT partition image was loaded from, from its Device Path (found 0
 * when there is none); one loader line says what was found. */
void find_boot_partition(EFI_HANDLE image, struct bi_boot_part *bp);
void make_executable(uint64_t phys, UINTN pages);

/* com1.c: write s to COM1 by port I/O (115200 8N1) if a 16550 answers a
 * probe; calls no firmware service and every wait is bounded, so it is
 * safe after ExitBootServices and on PCs without COM1. 0: no UART. */
int com1_write(const char *s);

/* exit.c: memory map, ExitBootServices and the jump to the trampoline. */
struct handoff {
	struct bootinfo *bi;
	uint64_t tramp_phys;
	uint32_t pd_phys;
	uint32_t entry;   /* the kernel's entry point, virtual */
	char failed[128]; /* what failed, when a call below returns an error */
};
/* Allocate h->bi (NULL before: h zeroed) and the firmware map buffer, with
 * room for the map as it is now plus slack descriptors (map_slack=). */
EFI_STATUS prepare_memory_map(struct handoff *h, uint32_t slack);
/* Leave boot services and enter the kernel. Returns only while
 * ExitBootServices has not been called (boot services whole), with
 * h->failed set; once it has, this jumps to the kernel or reports on COM1
 * and halts. h->bi may have moved (bigger buffers). */
EFI_STATUS exit_and_jump(EFI_HANDLE image, struct handoff *h);

#endif
