/*
 * shell.c - the playground language typed at the console.
 *
 * Input comes from the serial port (its receive interrupt, IRQ 4) and,
 * when there is one, the PS/2 keyboard (arch/x86/kbd.c, IRQ 1); both feed
 * one ring buffer that the shell (a kernel thread) sleeps on. Line
 * editing: backspace, Ctrl-U (erase the line), Ctrl-C (drop it; while a
 * command runs, interrupt it), up/down arrows (history), Ctrl-D on an
 * empty line (quit). A line longer than a script's (SCRIPT_LINE_MAX) is
 * refused whole on Enter, never cut, with the script's message. Errors are printed and the shell goes on. At the end
 * fork_mode and the log level are given back, as after a script.
 */
#include "core/play/interp.h"

#include <arch/kbd.h>
#include <arch/machine.h>
#include <arch/trap.h>
#include <arch/uart.h>

#include "core/log.h"
#include "core/task/task.h"
#include "lib/string.h"

#define LINE_MAX (SCRIPT_LINE_MAX + 1) /* the longest line and its NUL */
#define HISTORY 16
#define RING 256

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
/* The UART's own line (ISA IRQ 4 is not shared): always ours. */
static int serial_irq(void *ctx)
{
	(void)ctx;
	take(uart_getc);
	return IRQ_HANDLED;
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

/* An escape sequence: ESC [ A (up) or ESC [ B (down); others ignored.
 * *pos walks the history between oldest (the oldest entry still kept)
 * and nhistory (the empty new line). */
static unsigned escape(char *buf, unsigned len, unsigned *pos, unsigned oldest)
{
	if (getc_blocking() != '[')
		return len;
	int c = getc_blocking();
	if (c == 'A' && *pos > oldest)
		return recall(buf, len, history[--*pos % HISTORY]);
	if (c == 'B' && *pos < nhistory) {
		++*pos;
		return recall(buf, len, *pos == nhistory ? "" : history[*pos % HISTORY]);
	}
	return len;
}

#define LINE_END_OF_INPUT -1
#define LINE_TOO_LONG -2

/* Read one edited line; returns its length, LINE_END_OF_INPUT (Ctrl-D),
 * or LINE_TOO_LONG (more was typed than fits: nothing is run). */
static int read_line(char *buf)
{
	static int after_cr;
	unsigned len = 0, pos = nhistory, oldest = nhistory > HISTORY ? nhistory - HISTORY : 0;
	int overflow = 0;

	for (;;) {
		int c = getc_blocking(), lf_of_crlf = c == '\n' && after_cr;
		after_cr = c == '\r';
		if (lf_of_crlf)
			continue; /* CR LF is one Enter */
		if (c == '\r' || c == '\n') {
			echo("\n", 1);
			buf[len] = 0;
			return overflow ? LINE_TOO_LONG : (int)len;
		}
		if ((c == 0x7F || c == '\b') && len) {
			len--;
			erase(1);
		} else if (c == 0x15) { /* ^U */
			erase(len);
			len = 0;
			overflow = 0;
		} else if (c == 0x03) { /* ^C */
			echo("^C\n", 3);
			buf[0] = 0;
			return 0;
		} else if (c == 0x04 && !len) { /* ^D */
			echo("\n", 1);
			return LINE_END_OF_INPUT;
		} else if (c == 0x1B) {
			len = escape(buf, len, &pos, oldest);
		} else if (c >= 0x20 && c < 0x7F && len < LINE_MAX - 1) {
			buf[len++] = (char)c;
			echo((char *)&buf[len - 1], 1);
		} else if (c >= 0x20 && c < 0x7F) {
			overflow = 1;
		}
	}
}

/* While a command runs: was Ctrl-C typed? If so, it and what was typed
 * before it are dropped, and the command is interrupted (agent.c). */
static int ctrl_c_typed(void)
{
	for (unsigned at = tail; at != head; at++)
		if (ring[at % RING] == 0x03) {
			tail = at + 1;
			echo("^C\n", 3);
			return 1;
		}
	return 0;
}

static void remember(const char *line)
{
	if (!*line || (nhistory && !strcmp(history[(nhistory - 1) % HISTORY], line)))
		return;
	strlcpy(history[nhistory++ % HISTORY], line, LINE_MAX);
}

void play_shell(void)
{
	static struct play shell;
	struct play *p = &shell;
	char line[LINE_MAX];

	play_begin(p, "shell", 1);
	irq_register(UART_IRQ, serial_irq, 0);
	uart_enable_rx_irq();
	pic_unmask(UART_IRQ);
	int keyboard = kbd_init();
	if (keyboard)
		kbd_set_notify(keyboard_input);
	agent_set_interrupt(ctrl_c_typed);
	kprintf("play: interactive shell (%s%s): 'help' lists the commands, 'quit' leaves\n",
		uart_present() ? "serial" : "", keyboard ? (uart_present() ? ", keyboard" : "keyboard")
							 : "");
	while (!p->quit) {
		kprintf("play> ");
		int n = read_line(line);
		if (n == LINE_END_OF_INPUT)
			break;
		p->line++;
		if (n == LINE_TOO_LONG) {
			play_line_too_long(p);
			continue;
		}
		remember(line);
		run_line(p, line);
	}
	agent_set_interrupt(NULL);
	pic_mask(UART_IRQ);
	if (keyboard)
		kbd_set_notify(NULL);
	play_end(p);
	kprintf("play: shell closed\n");
}
