/*
 * ldt.c - an LDT for every user task, and the boot's test of whether the
 * CPU checks segment limits at all.
 *
 * Linux 0.11 gives task nr two GDT entries, its TSS and its LDT, and
 * switches tasks in hardware, which loads LDTR from the TSS. We keep one
 * TSS (its esp0 rewritten on each switch) and load LDTR ourselves with
 * lldt in context_prepare(), as the HIT Linux-0.11 labs' "switching on
 * the kernel stack" does. Each user task still has an LDT of its own,
 * named by its own LDT descriptor in the GDT, so "show gdt" lists them as
 * 0.11's GDT would.
 *
 * An LDT has 0.11's three entries: null, code, data (the data segment is
 * also the stack). Its descriptor's limit is 8 * 3 - 1, so a selector
 * past the third entry is a #GP, not a read of whatever lies after it
 * (0.11 gave every LDT 104 bytes).
 *
 * Called from task creation and exit, context switches and the
 * playground; kernel code runs with interrupts off, so no locks.
 */
#include <arch/cpu.h>
#include <arch/segment.h>

#include <errnum.h>

#include "core/log.h"
#include "lib/string.h"

static struct seg_desc ldts[LDT_SLOTS][LDT_ENTRIES] __attribute__((aligned(8)));
static uint8_t free_slots[LDT_SLOTS]; /* a stack: fork takes one in O(1) */
static unsigned nfree;
int seg_limits_checked;

/* The slot ldt_sel names, or -1: not an LDT descriptor in use. */
static int slot_of(uint16_t ldt_sel)
{
	int slot = (int)SEL_INDEX(ldt_sel) - GDT_LDT0;

	if (SEL_IS_LDT(ldt_sel) || slot < 0 || slot >= LDT_SLOTS ||
	    !seg_present(&gdt[GDT_LDT0 + slot]))
		return -1;
	return slot;
}

/*
 * Every LDT's own descriptor is written here once, at boot, not present:
 * a system segment of type LDT, DPL 0 (only lldt, at CPL 0, reads it),
 * its base the slot's three entries. Taking a slot sets P, freeing it
 * clears P: fork pays a few instructions for its child's LDT.
 */
void ldt_init(void)
{
	for (int slot = LDT_SLOTS - 1; slot >= 0; slot--) {
		struct seg_spec s = { .kind = SEG_LDT, .base = (uint32_t)ldts[slot],
				      .limit = sizeof ldts[slot] - 1, .bits = 32 };
		seg_encode(&s, &gdt[GDT_LDT0 + slot], NULL); /* cannot be refused */
		gdt[GDT_LDT0 + slot].access &= ~DESC_P;
		free_slots[nfree++] = (uint8_t)slot;
	}
}

/* A free slot, its descriptor present now: its selector; -1 if none. */
static int take_slot(void)
{
	if (!nfree)
		return -1;
	int slot = free_slots[--nfree];
	gdt[GDT_LDT0 + slot].access |= DESC_P;
	return slot;
}

static uint16_t selector(int slot)
{
	return GDT_SEL(GDT_LDT0 + slot, RPL_KERNEL);
}

int ldt_alloc(uint32_t base, uint32_t limit)
{
	struct seg_spec code = { .kind = SEG_CODE, .base = base, .limit = limit,
				 .dpl = RPL_USER, .bits = 32 };
	struct seg_spec data = code;
	struct seg_desc ldt[LDT_ENTRIES] = { { 0 } };

	data.kind = SEG_DATA;
	if (seg_encode(&code, &ldt[LDT_CODE], NULL) || seg_encode(&data, &ldt[LDT_DATA], NULL))
		return -EINVAL;
	int slot = take_slot();
	if (slot < 0)
		return -EAGAIN;
	memcpy(ldts[slot], ldt, sizeof ldt);
	return selector(slot);
}

/* 0.11's set_base: the base's three fields, nothing else. */
static void set_base(struct seg_desc *d, uint32_t base)
{
	d->base_lo = base & 0xFFFF;
	d->base_mid = (base >> 16) & 0xFF;
	d->base_hi = base >> 24;
}

/* A fork's LDT, on its path: the parent's descriptors, rebased. The limit
 * fits the child's window as it fits the parent's (a slot is a slot), so
 * nothing seg_encode refuses can come of it. */
int ldt_clone(uint16_t from, uint32_t base)
{
	int src = (int)SEL_INDEX(from) - GDT_LDT0, slot;

	if (src < 0 || src >= LDT_SLOTS) /* the parent's own: in use, or it would not run */
		return -EINVAL;
	if ((slot = take_slot()) < 0)
		return -EAGAIN;
	ldts[slot][LDT_CODE] = ldts[src][LDT_CODE]; /* LDT_NULL stays null in every slot */
	ldts[slot][LDT_DATA] = ldts[src][LDT_DATA];
	set_base(&ldts[slot][LDT_CODE], base);
	set_base(&ldts[slot][LDT_DATA], base);
	return selector(slot);
}

int ldt_set(uint16_t ldt_sel, unsigned index, const struct seg_spec *s, const char **why)
{
	struct seg_desc *ldt = ldt_entries(ldt_sel), d;

	if (!ldt || (index != LDT_CODE && index != LDT_DATA) || s->dpl != RPL_USER ||
	    s->kind != (index == LDT_CODE ? SEG_CODE : SEG_DATA)) {
		if (why)
			*why = "only the code and data segments of a task's LDT, as ring 3's";
		return -EINVAL;
	}
	if (seg_encode(s, &d, why))
		return -EINVAL;
	ldt[index] = d;
	return 0;
}

void ldt_free(uint16_t ldt_sel)
{
	int slot = slot_of(ldt_sel);

	if (slot < 0)
		panic("ldt_free(0x%x): not an LDT in use", ldt_sel);
	/* LDTR may still name it (the exiting task is running): its cached
	 * copy stays valid until the next lldt, and no LDT selector is loaded
	 * before then. */
	gdt[GDT_LDT0 + slot].access &= ~DESC_P;
	free_slots[nfree++] = (uint8_t)slot;
}

struct seg_desc *ldt_entries(uint16_t ldt_sel)
{
	int slot = slot_of(ldt_sel);

	return slot < 0 ? NULL : ldts[slot];
}

const struct seg_desc *seg_lookup(uint16_t sel, uint16_t ldt_sel)
{
	unsigned i = SEL_INDEX(sel);

	if (!SEL_IS_LDT(sel))
		return i < GDT_ENTRIES ? &gdt[i] : NULL;
	struct seg_desc *ldt = ldt_entries(ldt_sel);
	return ldt && i < LDT_ENTRIES ? &ldt[i] : NULL;
}

/* probe.S: read a word at FS:offset; 0, or -1 when that faulted. */
int probe_read_fs(uint32_t offset, uint32_t *out);

/*
 * Load FS with a 1-byte data segment (limit 0) of an LDT and read 4 bytes
 * at offset 4: a CPU that checks limits raises #GP, which the exception
 * table turns into -1; one that does not reads the word. Run once at
 * boot, before any task, in an LDT slot of its own, so it also tries lldt
 * and a selector with TI set.
 */
void seg_probe_limits(void)
{
	static uint32_t target[2] = { 0x600DF00Du, 0x0B5E55EDu };
	struct seg_spec probe = { .kind = SEG_DATA, .base = (uint32_t)target, .limit = 0,
				  .dpl = RPL_KERNEL, .bits = 32 };
	uint32_t got = 0;
	int slot = take_slot();

	memset(ldts[slot], 0, sizeof ldts[slot]);
	seg_encode(&probe, &ldts[slot][LDT_DATA], NULL);
	uint16_t sel = selector(slot);
	lldt(sel);
	__asm__ volatile("mov %0, %%fs" : : "r"(LDT_SEL(LDT_DATA, RPL_KERNEL)));
	int rc = probe_read_fs(4, &got);
	__asm__ volatile("mov %0, %%fs" : : "r"(0));
	lldt(0);
	ldt_free(sel);
	seg_limits_checked = rc != 0;
	if (seg_limits_checked)
		log_normal("cpu: segment limits are checked: a read past a 1-byte segment raised "
			   "#GP\n");
	else
		log_normal("cpu: segment limits are not checked: a read past a 1-byte segment got "
			   "0x%08x (%s)\n", got, cpu_machine_kind());
}
