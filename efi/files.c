/*
 * files.c - read files from the ESP the loader itself was started from:
 * the config file and the scripts it names. Files land in pages below
 * LOADER_ALLOC_LIMIT so the kernel can read them through its direct map.
 */
#include "loader.h"

static EFI_FILE_HANDLE root;

EFI_STATUS esp_open(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
					  (void **)&li);

	if (st != EFI_SUCCESS)
		return st;
	root = LibOpenRoot(li->DeviceHandle);
	return root ? EFI_SUCCESS : EFI_NOT_FOUND;
}

void esp_close(void)
{
	if (root)
		uefi_call_wrapper(root->Close, 1, root);
	root = NULL;
}

/* "/efi/boot/x.pg" or "\EFI\BOOT\x.pg" to a UEFI path; 0 if too long. */
static int to_uefi_path(const char *path, CHAR16 *out, UINTN room)
{
	UINTN n = 0;

	if (*path != '\\' && *path != '/')
		out[n++] = L'\\';
	for (; *path; path++) {
		if (n + 1 >= room)
			return 0;
		out[n++] = *path == '/' ? L'\\' : (CHAR16)(unsigned char)*path;
	}
	out[n] = 0;
	return 1;
}

EFI_STATUS esp_read_file(const char *path, uint64_t *phys, uint32_t *size, uint32_t max)
{
	CHAR16 wpath[CONFIG_PATH_MAX + 2];
	EFI_FILE_HANDLE f;
	EFI_STATUS st;

	*phys = 0;
	*size = 0;
	if (!root || !to_uefi_path(path, wpath, sizeof wpath / sizeof wpath[0]))
		return EFI_INVALID_PARAMETER;
	st = uefi_call_wrapper(root->Open, 5, root, &f, wpath, EFI_FILE_MODE_READ, 0);
	if (st != EFI_SUCCESS)
		return st;
	EFI_FILE_INFO *info = LibFileInfo(f);
	if (!info) {
		st = EFI_DEVICE_ERROR;
		goto out;
	}
	UINT64 len = info->FileSize;
	FreePool(info);
	if (len > max) {
		*size = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
		st = EFI_BAD_BUFFER_SIZE;
		goto out;
	}
	/* One spare byte so the kernel may treat the text as a C string. */
	UINTN pages = (len + 1 + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t buf = alloc_low_pages(EfiLoaderData, pages);
	if (!buf) {
		st = EFI_OUT_OF_RESOURCES;
		goto out;
	}
	SetMem((void *)(UINTN)buf, pages * PAGE_SIZE, 0);
	UINTN got = len;
	st = uefi_call_wrapper(f->Read, 3, f, &got, (void *)(UINTN)buf);
	if (st != EFI_SUCCESS || got != len) {
		uefi_call_wrapper(BS->FreePages, 2, buf, pages);
		st = st != EFI_SUCCESS ? st : EFI_DEVICE_ERROR;
		goto out;
	}
	*phys = buf;
	*size = (uint32_t)len;
out:
	uefi_call_wrapper(f->Close, 1, f);
	return st;
}
