/*
 * acpi.c - the ACPI root tables: from the RSDP through the XSDT or RSDT
 * to one table by its signature.
 *
 * Called at boot with interrupts off: by apic.c for the MADT, by
 * drivers/pci.c for the MCFG (where PCI Express config space is). Every
 * read goes through phys_read, which refuses what lies at or above 4 GiB:
 * firmware may put any of these tables there, and a 32-bit address cut
 * from it would read some other page. Each fallback and each refusal is
 * logged ("acpi: ..."), and a corrupt length is bounded.
 *
 * References: ACPI 6.5 5.2.5 (RSDP), 5.2.7-8 (RSDT, XSDT).
 */
#include <arch/acpi.h>
#include <arch/paging.h>

#include <errnum.h>
#include <layout.h>

#include "core/log.h"
#include "lib/string.h"

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision; /* 2 and up: the fields after rsdt exist */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum, reserved[3];
} __attribute__((packed));

#define RSDP_V1_SIZE 20     /* ACPI 1.0's RSDP ends after rsdt */
#define RSDP_XSDT_REVISION 2
#define ACPI_ROOT_MAX_BYTES 4096 /* ~500 tables: a bound on a corrupt length */

_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 6.5, 5.2.5.3: the RSDP is 36 bytes");

enum root_result { ROOT_FOUND, ROOT_NOT_LISTED, ROOT_FAR, ROOT_BAD_SIGNATURE };

/* Why what starts at pa cannot be read whole, for a log line. */
static const char *far_reason(uint64_t pa)
{
	return pa >= FOUR_GIB ? "is above 4 GiB, out of reach of 32-bit paging"
			      : "reaches 4 GiB, out of reach of 32-bit paging";
}

/* Read the RSDP at pa into *p (xsdt left 0 before ACPI 2.0); 0, or -1
 * with a log line when it is out of reach or not an RSDP. */
static int read_rsdp(uint64_t pa, struct acpi_rsdp *p)
{
	memset(p, 0, sizeof *p);
	if (phys_read(pa, p, RSDP_V1_SIZE) < 0) {
		log_normal("acpi: RSDP at 0x%08llx %s\n", (unsigned long long)pa, far_reason(pa));
		return -1;
	}
	if (memcmp(p->sig, "RSD PTR ", sizeof p->sig)) {
		log_normal("acpi: no RSDP signature at 0x%08llx\n", (unsigned long long)pa);
		return -1;
	}
	/* ACPI 2.0 and up: the XSDT's address follows. When those bytes reach
	 * 4 GiB, phys_read copies nothing and xsdt stays 0: the RSDT is all
	 * there is to use. */
	if (p->revision >= RSDP_XSDT_REVISION)
		(void)phys_read(pa, p, sizeof *p);
	return 0;
}

/*
 * Look for the table with signature sig among the entries of the root
 * table (XSDT or RSDT, named root_sig, entry bytes apart) at root; fill
 * *out when found. Entries above 4 GiB are skipped: another root may list
 * a copy below.
 */
static enum root_result root_find(uint64_t root, const char *root_sig, unsigned entry,
				  const char *sig, struct acpi_table *out)
{
	struct acpi_header h;

	if (phys_read(root, &h, sizeof h) < 0)
		return ROOT_FAR;
	if (memcmp(h.sig, root_sig, sizeof h.sig))
		return ROOT_BAD_SIGNATURE;
	uint32_t end = h.length < ACPI_ROOT_MAX_BYTES ? h.length : ACPI_ROOT_MAX_BYTES;
	for (uint32_t off = sizeof h; off + entry <= end; off += entry) {
		uint64_t table = 0;
		if (phys_read(root + off, &table, entry) < 0)
			return ROOT_FAR;
		if (table && phys_read(table, &out->h, sizeof out->h) == 0 &&
		    !memcmp(out->h.sig, sig, sizeof out->h.sig)) {
			out->pa = table;
			return ROOT_FOUND;
		}
	}
	return ROOT_NOT_LISTED;
}

/* Say why the root table at root was of no use; then is what comes next
 * ("" for nothing). */
static void root_problem(const char *root_sig, enum root_result r, uint64_t root,
			 const char *sig, const char *then)
{
	if (r == ROOT_FAR)
		log_normal("acpi: %s at 0x%08llx %s%s\n", root_sig, (unsigned long long)root,
			   far_reason(root), then);
	else if (r == ROOT_BAD_SIGNATURE)
		log_normal("acpi: %s at 0x%08llx has a bad signature%s\n", root_sig,
			   (unsigned long long)root, then);
	else
		log_normal("acpi: %s at 0x%08llx lists no %.4s below 4 GiB%s\n", root_sig,
			   (unsigned long long)root, sig, then);
}

int acpi_find_table(uint64_t rsdp_pa, const char *sig, struct acpi_table *out)
{
	struct acpi_rsdp p;
	enum root_result r;

	if (!rsdp_pa || read_rsdp(rsdp_pa, &p))
		return -ENOENT;
	if (p.xsdt) {
		r = root_find(p.xsdt, "XSDT", sizeof(uint64_t), sig, out);
		if (r == ROOT_FOUND)
			return 0;
		root_problem("XSDT", r, p.xsdt, sig,
			     p.rsdt ? ": trying the RSDT" : ": and there is no RSDT");
	}
	if (!p.rsdt)
		return -ENOENT;
	r = root_find(p.rsdt, "RSDT", sizeof(uint32_t), sig, out);
	if (r == ROOT_FOUND)
		return 0;
	root_problem("RSDT", r, p.rsdt, sig, "");
	return -ENOENT;
}
