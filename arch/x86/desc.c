/*
 * desc.c - segment descriptors: from words to the 8 bytes, and back.
 *
 * The layout (Intel SDM vol. 3, 3.4.5): a 32-bit base and a 20-bit limit
 * scattered over the descriptor, an access byte (present, DPL, S, type)
 * and a flags nibble (G, D/B, L, AVL). Every descriptor the kernel writes
 * -- the GDT's (gdt.c), each task's LDT (ldt.c), the playground's limit
 * changes -- goes through seg_encode(), which refuses what this kernel
 * has no return path for. Pure code with no state: the host tests run it
 * (test/host/test_segment.c).
 */
#include <arch/segment.h>

#include "lib/string.h"

static int refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -1;
}

/* The type nibble of code and data; NULL when it is fine. */
static const char *user_type(const struct seg_spec *s, unsigned *type)
{
	if (s->bits != 32)
		return "a 16-bit segment: IRET back to a 16-bit stack restores only the low "
		       "half of ESP (Linux needs espfix for it)";
	if (s->kind == SEG_DATA && s->expand_down)
		return "an expand-down segment: its valid offsets lie above the limit, a second "
		       "kind of check for every pointer the kernel is given";
	if (s->kind == SEG_CODE && s->conforming)
		return "a conforming code segment: it would run at the caller's privilege";
	if (s->kind == SEG_CODE)
		*type = DESC_CODE | (s->read_only ? 0 : DESC_READ) | DESC_ACCESSED;
	else
		*type = (s->read_only ? 0 : DESC_WRITE) | DESC_ACCESSED;
	return NULL;
}

int seg_encode(const struct seg_spec *s, struct seg_desc *d, const char **why)
{
	unsigned type = 0, flags = 0, access = 0;
	uint32_t field = s->limit;
	const char *bad = NULL;

	if (s->dpl > 3)
		return refuse(why, "a DPL past 3");
	if (s->base + s->limit < s->base)
		return refuse(why, "base + limit runs past 4 GiB: offsets would wrap around to "
				   "linear 0");
	if (s->limit > DESC_LIMIT_MAX) {
		if ((s->limit & 0xFFFu) != 0xFFFu)
			return refuse(why, "a limit above 1 MiB counts 4 KiB pages (G): it must end "
					   "at a page's last byte, 0x...fff");
		field = s->limit >> 12;
		flags |= DESC_G;
	}
	switch (s->kind) {
	case SEG_CODE:
	case SEG_DATA:
		bad = user_type(s, &type);
		flags |= DESC_DB;
		access = DESC_S;
		break;
	case SEG_LDT:
	case SEG_TSS:
		if (s->bits != 32)
			bad = "a 16-bit TSS";
		type = s->kind == SEG_LDT ? DESC_TYPE_LDT : DESC_TYPE_TSS32;
		access = 0;
		break;
	default:
		bad = "an unknown kind of descriptor";
	}
	if (bad)
		return refuse(why, bad);
	d->limit_lo = field & 0xFFFF;
	d->base_lo = s->base & 0xFFFF;
	d->base_mid = (s->base >> 16) & 0xFF;
	d->access = (uint8_t)(DESC_P | s->dpl << DESC_DPL_SHIFT | access | type);
	d->limit_flags = (uint8_t)(flags | ((field >> 16) & DESC_LIMIT_HI));
	d->base_hi = s->base >> 24;
	return 0;
}

int seg_decode(const struct seg_desc *d, struct seg_spec *s, const char **why)
{
	unsigned type = DESC_TYPE(d->access);

	memset(s, 0, sizeof *s);
	s->base = seg_base(d);
	s->limit = seg_limit(d);
	s->dpl = DESC_DPL(d->access);
	s->bits = d->limit_flags & DESC_DB ? 32 : 16;
	if (!seg_present(d))
		return refuse(why, "not present");
	if (!(d->access & DESC_S)) {
		s->bits = 32;
		if (type == DESC_TYPE_LDT)
			s->kind = SEG_LDT;
		else if (type == DESC_TYPE_TSS32 || type == DESC_TYPE_TSS32_BUSY)
			s->kind = SEG_TSS;
		else
			return refuse(why, "a system descriptor of another type (a gate, a 16-bit TSS)");
		return 0;
	}
	if (d->limit_flags & DESC_L)
		return refuse(why, "a 64-bit code segment");
	s->kind = type & DESC_CODE ? SEG_CODE : SEG_DATA;
	if (s->kind == SEG_CODE) {
		s->conforming = !!(type & DESC_CONFORMING);
		s->read_only = !(type & DESC_READ); /* execute-only */
	} else {
		s->expand_down = !!(type & DESC_EXPAND_DOWN);
		s->read_only = !(type & DESC_WRITE);
	}
	if (s->bits != 32 || s->expand_down || s->conforming)
		return refuse(why, s->bits != 32 ? "16-bit" : s->expand_down ? "expand-down"
										 : "conforming");
	return 0;
}

const char *seg_type_name(const struct seg_desc *d)
{
	static const char *const names[] = {
		[SEG_CODE] = "code", [SEG_DATA] = "data", [SEG_LDT] = "LDT", [SEG_TSS] = "32-bit TSS",
	};
	struct seg_spec s;

	if (!seg_present(d))
		return "not present";
	if (seg_decode(d, &s, NULL))
		return "unusual (see its access byte)";
	if (s.kind == SEG_CODE && s.read_only)
		return "code, execute-only";
	if (s.kind == SEG_DATA && s.read_only)
		return "data, read-only";
	if (s.kind == SEG_TSS && DESC_TYPE(d->access) == DESC_TYPE_TSS32_BUSY)
		return "32-bit TSS (busy)";
	return names[s.kind];
}
