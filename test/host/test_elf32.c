/* test_elf32.c - ELF32 validation: a good image and every way to break one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/elf32.h"

struct image {
	struct elf32_ehdr eh;
	struct elf32_phdr ph[2];
	char body[64];
};

static void make(struct image *im)
{
	memset(im, 0, sizeof *im);
	im->eh.magic = ELF_MAGIC;
	im->eh.class = ELFCLASS32;
	im->eh.data = ELFDATA2LSB;
	im->eh.type = ET_EXEC;
	im->eh.machine = EM_386;
	im->eh.phoff = sizeof im->eh;
	im->eh.phentsize = sizeof(struct elf32_phdr);
	im->eh.phnum = 2;
	im->ph[0] = (struct elf32_phdr){ PT_LOAD, offsetof(struct image, body), 0x08048000, 0, 32,
					 4096, ELF_PF_R | ELF_PF_X, 4096 };
	im->ph[1] = (struct elf32_phdr){ PT_LOAD, offsetof(struct image, body) + 32, 0x08049000, 0,
					 16, 8192, ELF_PF_R | ELF_PF_W, 4096 };
}

static void test_good_image(void **state)
{
	(void)state;
	struct image im;
	uint32_t lo, hi;
	make(&im);
	assert_null(elf32_validate(&im, sizeof im));
	elf32_load_span(&im, &lo, &hi);
	assert_int_equal(lo, 0x08048000);
	assert_int_equal(hi, 0x08049000 + 8192);
}

static void test_broken_images(void **state)
{
	(void)state;
	struct image im;
	make(&im);
	assert_non_null(elf32_validate(&im, 10)); /* shorter than a header */
	make(&im);
	im.eh.magic = 0x464c457e;
	assert_string_equal(elf32_validate(&im, sizeof im), "not an ELF file");
	make(&im);
	im.eh.class = 2;
	assert_string_equal(elf32_validate(&im, sizeof im), "not 32-bit little-endian ELF");
	make(&im);
	im.eh.machine = 62;
	assert_string_equal(elf32_validate(&im, sizeof im), "not an i386 executable");
	make(&im);
	im.eh.phnum = 60000;
	assert_string_equal(elf32_validate(&im, sizeof im), "program headers outside the file");
	make(&im);
	im.eh.phoff = 0xFFFFFFF0u;
	assert_string_equal(elf32_validate(&im, sizeof im), "program headers outside the file");
	make(&im);
	im.ph[0].filesz = 0xFFFFFFFFu;
	assert_string_equal(elf32_validate(&im, sizeof im), "segment outside the file");
	make(&im);
	im.ph[1].filesz = 8;
	im.ph[1].memsz = 4;
	assert_string_equal(elf32_validate(&im, sizeof im), "segment file size above memory size");
	make(&im);
	im.ph[1].vaddr = 0xFFFFF000u;
	assert_string_equal(elf32_validate(&im, sizeof im), "segment wraps around 4 GiB");
	make(&im);
	im.ph[0].type = im.ph[1].type = 6;
	assert_string_equal(elf32_validate(&im, sizeof im), "no loadable segment");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_image),
		cmocka_unit_test(test_broken_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
