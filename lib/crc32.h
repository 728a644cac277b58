/*
 * crc32.h - the CRC-32 of IEEE 802.3, zlib and GPT (UEFI 2.10, 5.3.2):
 * reflected polynomial 0xEDB88320, initial value and final xor all ones.
 */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of n bytes at p. */
uint32_t crc32(const void *p, size_t n);
/* In pieces: crc = crc32_update(CRC32_START, ...) for each piece, then
 * crc32_end(crc) equals crc32() of all the pieces in a row. */
#define CRC32_START 0xFFFFFFFFu
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);
static inline uint32_t crc32_end(uint32_t crc)
{
	return crc ^ 0xFFFFFFFFu;
}

#endif
