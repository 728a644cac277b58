/*
 * shell.c - the playground language typed at the console.
 *
 * Input comes from the serial port (its receive interrupt, IRQ 4) and,
 * when there is one, the PS/2 keyboard (arch/x86/kbd.c, IRQ 1); both feed
 * one ring buffer that the shell (a kernel thread) sleeps on. Line editing: backspace, Ctrl-U
 * (erase the line), Ctrl-C (drop it), up/down arrows (history), Ctrl-D on
 * an empty line (quit). Errors are printed and the shell goes on.
 */
#include "core/play/interp.h"

#include <arch/kbd.h>
#include <arch/machine.h>
#include <arch/trap.h>
#include <arch/uart.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

#define LINE_MAX 160
#define HISTORY 16
#define RING 256

struct play *play_shell_state(void);
void play_shell_cleanup(struct play *p);

static char ring[RING];
static unsigned head, tail; /* written by the IRQ, read by the shell */
static struct task *reader;
static char history[HISTORY][LINE_MAX];
static unsigned nhistory;

static void take(int (*getc)(void))
{
	int c;

	while ((c = getc()) >= 0)
		if (head - tail < RING)
			ring[head++ % RING] = (char)c;
	if (reader && reader->state == TASK_BLOCKED)
		sched_wake(reader);
}

/* IRQ 4 (the UART) and IRQ 1 (the keyboard, through its driver). */
static void serial_irq(void)
{
	take(uart_getc);
}

static void keyboard_input(void)
{
	take(kbd_getc);
}

static int getc_blocking(void)
{
	while (head == tail) {
		reader = current;
		sched_block();
		reader = NULL;
	}
	return ring[tail++ % RING];
}

static void echo(const char *s, size_t n)
{
	log_write(s, n);
}

static void erase(unsigned n)
{
	while (n--)
		echo("\b \b", 3);
}

/* Replace the line being edited by text (history). */
static unsigned recall(char *buf, unsigned len, const char *text)
{
	erase(len);
	strlcpy(buf, text, LINE_MAX);
	echo(buf, strlen(buf));
	return (unsigned)strlen(buf);
}

/* An escape sequence: ESC [ A (up) or ESC [ B (down); others ignored. */
static unsigned escape(char *buf, unsigned len, unsigned *pos)
{
	if (getc_blocking() != '[')
		return len;
	int c = getc_blocking();
	if (c == 'A' && *pos > 0)
		return recall(buf, len, history[--*pos % HISTORY]);
	if (c == 'B' && *pos < nhistory) {
		++*pos;
		return recall(buf, len, *pos == nhistory ? "" : history[*pos % HISTORY]);
	}
	return len;
}

/* Read one edited line; returns its length, or -1 for end of input. */
static int read_line(char *buf)
{
	unsigned len = 0, pos = nhistory, oldest = nhistory > HISTORY ? nhistory - HISTORY : 0;

	for (;;) {
		int c = getc_blocking();
		if (c == '\r' || c == '\n') {
			echo("\n", 1);
			buf[len] = 0;
			return (int)len;
		}
		if ((c == 0x7F || c == '\b') && len) {
			len--;
			erase(1);
		} else if (c == 0x15) { /* ^U */
			erase(len);
			len = 0;
		} else if (c == 0x03) { /* ^C */
			echo("^C\n", 3);
			buf[0] = 0;
			return 0;
		} else if (c == 0x04 && !len) { /* ^D */
			echo("\n", 1);
			return -1;
		} else if (c == 0x1B) {
			len = escape(buf, len, &pos);
			if (pos < oldest)
				pos = oldest;
		} else if (c >= 0x20 && c < 0x7F && len < LINE_MAX - 1) {
			buf[len++] = (char)c;
			echo((char *)&buf[len - 1], 1);
		}
	}
}

static void remember(const char *line)
{
	if (!*line || (nhistory && !strcmp(history[(nhistory - 1) % HISTORY], line)))
		return;
	strlcpy(history[nhistory++ % HISTORY], line, LINE_MAX);
}

void play_shell(void)
{
	struct play *p = play_shell_state();
	char line[LINE_MAX];

	memset(p, 0, sizeof *p);
	p->interactive = 1;
	p->file = "shell";
	irq_register(UART_IRQ, serial_irq);
	uart_enable_rx_irq();
	pic_unmask(UART_IRQ);
	int keyboard = kbd_init();
	if (keyboard)
		kbd_set_notify(keyboard_input);
	kprintf("play: interactive shell (%s%s): 'help' lists the commands, 'quit' leaves\n",
		uart_present() ? "serial" : "", keyboard ? (uart_present() ? ", keyboard" : "keyboard")
							 : "");
	while (!p->quit) {
		kprintf("play> ");
		int n = read_line(line);
		if (n < 0)
			break;
		p->line++;
		remember(line);
		run_line(p, line);
	}
	pic_mask(UART_IRQ);
	if (keyboard)
		kbd_set_notify(NULL);
	play_shell_cleanup(p);
	kprintf("play: shell closed\n");
}
