/* guid.c - a stored GUID to text (guid.h). */
#include "lib/guid.h"

#include "lib/fmt.h"

const char *guid_text(const uint8_t g[GUID_SIZE], char *buf)
{
	fmt_snprintf(buf, GUID_TEXT,
		     "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", g[3],
		     g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
		     g[13], g[14], g[15]);
	return buf;
}
