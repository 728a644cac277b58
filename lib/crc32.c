/*
 * crc32.c - CRC-32 a byte at a time from a 256-entry table, built on
 * first use (1 KiB of bss rather than 1 KiB of hand-typed constants).
 * The check value of "123456789" is 0xCBF43926 (test_gpt checks it).
 */
#include "lib/crc32.h"

#define CRC32_POLY 0xEDB88320u /* 0x04C11DB7 bit-reversed */

static uint32_t table[256];
static int table_ready;

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ CRC32_POLY : c >> 1;
		table[i] = c;
	}
	table_ready = 1;
}

uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (!table_ready)
		make_table();
	while (n--)
		crc = table[(crc ^ *b++) & 0xFF] ^ (crc >> 8);
	return crc;
}

uint32_t crc32(const void *p, size_t n)
{
	return crc32_end(crc32_update(CRC32_START, p, n));
}
