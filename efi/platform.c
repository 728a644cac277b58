/*
 * platform.c - facts the kernel cannot ask the firmware for later: the GOP
 * framebuffer, the ACPI RSDP, the partition we were started from, and
 * making the trampoline page executable.
 */
#include "loader.h"

#include <stddef.h>

#include "lib/guid.h"

uint64_t alloc_low_pages(EFI_MEMORY_TYPE type, UINTN pages)
{
	EFI_PHYSICAL_ADDRESS addr = LOADER_ALLOC_LIMIT - 1;

	if (uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, type, pages, &addr) !=
	    EFI_SUCCESS)
		return 0;
	return addr;
}

void find_framebuffer(struct bi_framebuffer *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;

	SetMem(fb, sizeof *fb, 0);
	if (uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol, NULL,
			      (void **)&gop) != EFI_SUCCESS || !gop->Mode || !gop->Mode->Info)
		return;
	info = gop->Mode->Info;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->format = BI_FB_RGBX;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->format = BI_FB_BGRX;
		break;
	case PixelBitMask: {
		/* A pixel is as wide as the highest bit of its four masks (UEFI
		 * spec, EFI_PIXEL_BITMASK): fbcon draws 32-bit pixels only. */
		EFI_PIXEL_BITMASK *m = &info->PixelInformation;
		uint32_t all = m->RedMask | m->GreenMask | m->BlueMask | m->ReservedMask;
		if (!(all >> 24)) {
			lprintf("loader: framebuffer: bit-mask pixels of under 32 bits (masks r 0x%x g "
				"0x%x b 0x%x x 0x%x): no screen console\n",
				m->RedMask, m->GreenMask, m->BlueMask, m->ReservedMask);
			fb->format = BI_FB_NONE;
			return;
		}
		fb->format = BI_FB_BITMASK;
		fb->red_mask = m->RedMask;
		fb->green_mask = m->GreenMask;
		fb->blue_mask = m->BlueMask;
		break;
	}
	default: /* PixelBltOnly: there is no framebuffer to draw into */
		fb->format = BI_FB_NONE;
		return;
	}
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->stride = info->PixelsPerScanLine;
}

void find_rsdp(uint64_t *rsdp, uint32_t *rev)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	static EFI_GUID acpi10 = ACPI_TABLE_GUID;

	*rsdp = 0;
	*rev = 0;
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &acpi20)) {
			*rsdp = (uint64_t)(UINTN)t->VendorTable;
			*rev = 2;
			return; /* 2.0 wins over 1.0 */
		}
		if (!CompareGuid(&t->VendorGuid, &acpi10))
			*rsdp = (uint64_t)(UINTN)t->VendorTable;
	}
}

/* Nodes walked before a Device Path is taken as broken (real ones have a
 * handful: PciRoot, Pci, Sata or NVMe, HD, maybe a USB chain). */
#define DEVICE_PATH_MAX_NODES 64
#define DEVICE_PATH_NODE_MIN 4 /* type, subtype, 2-byte length */
/* A Hard Drive node's length (UEFI 2.10, table 10-63): 42 bytes, which
 * gnu-efi's unpacked struct pads to 48; its fields sit where the spec
 * puts them, since each is naturally aligned. */
#define HARDDRIVE_NODE_LENGTH 42
_Static_assert(offsetof(HARDDRIVE_DEVICE_PATH, SignatureType) == HARDDRIVE_NODE_LENGTH - 1,
	       "the Hard Drive node's fields at the spec's offsets");

void find_boot_partition(EFI_HANDLE image, struct bi_boot_part *bp)
{
	EFI_LOADED_IMAGE *li;
	EFI_DEVICE_PATH *dp;

	SetMem(bp, sizeof *bp, 0);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li) !=
		    EFI_SUCCESS ||
	    !(dp = DevicePathFromHandle(li->DeviceHandle))) {
		lprintf("loader: boot partition: no device path for the boot device\n");
		return;
	}
	for (int n = 0; n < DEVICE_PATH_MAX_NODES && !IsDevicePathEnd(dp); n++) {
		UINTN len = DevicePathNodeLength(dp);
		if (len < DEVICE_PATH_NODE_MIN)
			break;
		if (DevicePathType(dp) == MEDIA_DEVICE_PATH &&
		    DevicePathSubType(dp) == MEDIA_HARDDRIVE_DP && len >= HARDDRIVE_NODE_LENGTH) {
			HARDDRIVE_DEVICE_PATH *hd = (HARDDRIVE_DEVICE_PATH *)dp;
			if (hd->MBRType != MBR_TYPE_EFI_PARTITION_TABLE_HEADER ||
			    hd->SignatureType != SIGNATURE_TYPE_GUID) {
				lprintf("loader: boot partition %u is on an MBR disk: the kernel cannot "
					"name its disk\n",
					hd->PartitionNumber);
				return;
			}
			CopyMem(bp->guid, hd->Signature, sizeof bp->guid);
			bp->start_lba = hd->PartitionStart;
			bp->blocks = hd->PartitionSize;
			bp->number = hd->PartitionNumber;
			bp->found = 1;
			char g[GUID_TEXT];
			lprintf("loader: boot partition %u: GPT GUID %s, LBA %lu, %lu blocks\n",
				bp->number, guid_text(bp->guid, g), (unsigned long)bp->start_lba,
				(unsigned long)bp->blocks);
			return;
		}
		dp = NextDevicePathNode(dp);
	}
	lprintf("loader: boot partition: the boot device's path has no hard-drive node\n");
}

/*
 * EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10): firmware with strict memory
 * protection may map even freshly allocated pages read-only or no-execute.
 * When the protocol exists, clear both on the trampoline page.
 */
#define MEMORY_ATTRIBUTE_PROTOCOL_GUID                                                   \
	{                                                                                \
		0xf4560cf6, 0x40ec, 0x4b4a, { 0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89 } \
	}
#define ATTR_RP 0x2000ull
#define ATTR_RO 0x20000ull
#define ATTR_XP 0x4000ull

struct memory_attribute_protocol {
	EFI_STATUS(EFIAPI *get)(void *self, EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 *attr);
	EFI_STATUS(EFIAPI *set)(void *self, EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attr);
	EFI_STATUS(EFIAPI *clear)(void *self, EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attr);
};

void make_executable(uint64_t phys, UINTN pages)
{
	static EFI_GUID guid = MEMORY_ATTRIBUTE_PROTOCOL_GUID;
	struct memory_attribute_protocol *map;

	if (uefi_call_wrapper(BS->LocateProtocol, 3, &guid, NULL, (void **)&map) != EFI_SUCCESS)
		return;
	EFI_STATUS st = map->clear(map, phys, pages * PAGE_SIZE, ATTR_RO | ATTR_XP | ATTR_RP);
	lprintf("loader: memory attribute protocol: cleared RO/XP on the trampoline: %s\n",
		st == EFI_SUCCESS ? "ok" : "failed");
}
