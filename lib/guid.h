/*
 * guid.h - GUIDs as UEFI and GPT store them (UEFI 2.10, appendix A): 16
 * bytes whose first three fields are little-endian, the last eight as
 * written. Shared by the loader (the boot partition's GUID) and the
 * kernel (GPT types and partitions).
 */
#ifndef LIB_GUID_H
#define LIB_GUID_H

#include <stdint.h>

#define GUID_SIZE 16
#define GUID_TEXT 37 /* "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" and its NUL */

/* g in its usual text form, upper case, into buf (GUID_TEXT bytes). */
const char *guid_text(const uint8_t g[GUID_SIZE], char *buf);

#endif
