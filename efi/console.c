/*
 * console.c - the loader's output.
 *
 * Every line goes to the firmware console (ConOut: the screen, and on OVMF
 * also COM1). When the firmware's ConOut does not include a UART, the line
 * is also written through the Serial I/O protocol, so a serial log starts
 * with the loader's banner on every machine that has a serial port.
 * Lines are kept in a buffer that the kernel replays into its own log.
 */
#include "loader.h"

#include "lib/fmt.h"

static EFI_SERIAL_IO_PROTOCOL *extra_serial;
static int serial_in_conout;
static char log_buf[BI_LOG_SIZE];
static UINTN log_len;

/* Does the ConOut variable's device path contain a UART node? */
static int conout_has_uart(void)
{
	UINTN size = 0;
	UINT8 *path = LibGetVariableAndSize(L"ConOut", &EfiGlobalVariable, &size);
	UINTN off = 0;
	int found = 0;

	if (!path)
		return 0;
	/* A multi-instance path: walk every node, bounded by the variable size. */
	while (off + sizeof(EFI_DEVICE_PATH) <= size) {
		EFI_DEVICE_PATH *node = (EFI_DEVICE_PATH *)(path + off);
		UINTN len = DevicePathNodeLength(node);

		if (DevicePathType(node) == MESSAGING_DEVICE_PATH &&
		    DevicePathSubType(node) == MSG_UART_DP)
			found = 1;
		if (len < sizeof(EFI_DEVICE_PATH))
			break; /* malformed: stop rather than loop */
		off += len;
	}
	FreePool(path);
	return found;
}

void con_init(void)
{
	serial_in_conout = conout_has_uart();
	if (serial_in_conout)
		return;
	if (uefi_call_wrapper(BS->LocateProtocol, 3, &SerialIoProtocol, NULL,
			      (void **)&extra_serial) != EFI_SUCCESS)
		extra_serial = NULL;
}

int con_serial_in_conout(void)
{
	return serial_in_conout;
}

static void put_conout(const char *s)
{
	CHAR16 wide[260];
	UINTN n = 0;

	for (; *s; s++) {
		if (*s == '\n')
			wide[n++] = L'\r';
		wide[n++] = (CHAR16)(unsigned char)*s;
		if (n >= 256) {
			wide[n] = 0;
			uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
			n = 0;
		}
	}
	wide[n] = 0;
	uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
}

static void put_serial(const char *s)
{
	for (; *s; s++) {
		char crlf[2] = { '\r', '\n' };
		UINTN n = *s == '\n' ? 2 : 1;
		void *p = *s == '\n' ? (void *)crlf : (void *)s;
		uefi_call_wrapper(extra_serial->Write, 3, extra_serial, &n, p);
	}
}

void lprintf(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	put_conout(line);
	if (extra_serial)
		put_serial(line);
	for (const char *s = line; *s && log_len + 1 < sizeof log_buf; s++)
		log_buf[log_len++] = *s;
}

void con_copy_log(struct bootinfo *bi)
{
	CopyMem(bi->loader_log, log_buf, log_len);
	bi->loader_log[log_len] = '\0';
	bi->loader_log_len = (uint32_t)log_len;
}
