/*
 * fmt.c - a small printf engine shared by the loader, the kernel, user
 * programs and the host tests. It calls nothing outside this file.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+' ' ' '#',
 * width and precision (numbers or '*'), length modifiers hh h l ll z.
 */
#include "lib/fmt.h"

#include <stdint.h>

struct spec {
	int left, zero, plus, space, alt;
	int width, prec; /* prec < 0: none */
	int len;         /* -2 char, -1 short, 0 int, 1 long, 2 long long, 3 size_t */
};

struct out {
	fmt_put_fn put;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->put(o->ctx, c);
	o->count++;
}

static void emit_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Render |v| in base into buf (reversed); returns the digit count. */
static int render_digits(char *buf, uint64_t v, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	return n;
}

static void emit_number(struct out *o, const struct spec *s, uint64_t v, int negative,
			unsigned base, int upper)
{
	char digits[24];
	char prefix[3];
	int ndig = 0, npre = 0;

	if (!(v == 0 && s->prec == 0))
		ndig = render_digits(digits, v, base, upper);
	if (negative)
		prefix[npre++] = '-';
	else if (s->plus)
		prefix[npre++] = '+';
	else if (s->space)
		prefix[npre++] = ' ';
	if (s->alt && base == 16 && v) {
		prefix[npre++] = '0';
		prefix[npre++] = upper ? 'X' : 'x';
	}
	int zeros = s->prec > ndig ? s->prec - ndig : 0;
	int body = npre + zeros + ndig;
	int pad = s->width > body ? s->width - body : 0;

	if (!s->left && !(s->zero && s->prec < 0))
		emit_pad(o, ' ', pad);
	for (int i = 0; i < npre; i++)
		emit(o, prefix[i]);
	if (!s->left && s->zero && s->prec < 0)
		emit_pad(o, '0', pad);
	emit_pad(o, '0', zeros);
	while (ndig > 0)
		emit(o, digits[--ndig]);
	if (s->left)
		emit_pad(o, ' ', pad);
}

static void emit_string(struct out *o, const struct spec *s, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (s->prec < 0 || n < s->prec))
		n++;
	int pad = s->width > n ? s->width - n : 0;
	if (!s->left)
		emit_pad(o, ' ', pad);
	for (int i = 0; i < n; i++)
		emit(o, str[i]);
	if (s->left)
		emit_pad(o, ' ', pad);
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	for (;; f++) {
		if (*f == '-')
			s->left = 1;
		else if (*f == '0')
			s->zero = 1;
		else if (*f == '+')
			s->plus = 1;
		else if (*f == ' ')
			s->space = 1;
		else if (*f == '#')
			s->alt = 1;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = 1;
			s->width = -s->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	s->prec = -1;
	if (*f == '.') {
		f++;
		s->prec = 0;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			s->prec = s->prec * 10 + (*f++ - '0');
	}
	if (*f == 'h') {
		s->len = -1;
		if (*++f == 'h') {
			s->len = -2;
			f++;
		}
	} else if (*f == 'l') {
		s->len = 1;
		if (*++f == 'l') {
			s->len = 2;
			f++;
		}
	} else if (*f == 'z') {
		s->len = 3;
		f++;
	}
	return f;
}

static uint64_t take_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3:
		return va_arg(*ap, size_t);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	case -2:
		return (unsigned char)va_arg(*ap, unsigned int);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t take_signed(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3:
		return (int64_t)va_arg(*ap, size_t);
	case -1:
		return (short)va_arg(*ap, int);
	case -2:
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

int fmt_vformat(fmt_put_fn put, void *ctx, const char *f, va_list ap_in)
{
	struct out o = { put, ctx, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (; *f; f++) {
		if (*f != '%') {
			emit(&o, *f);
			continue;
		}
		struct spec s = { 0 };
		f = parse_spec(f + 1, &s, &ap);
		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = take_signed(&s, &ap);
			emit_number(&o, &s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, 0);
			break;
		}
		case 'u':
			emit_number(&o, &s, take_unsigned(&s, &ap), 0, 10, 0);
			break;
		case 'x':
		case 'X':
			emit_number(&o, &s, take_unsigned(&s, &ap), 0, 16, *f == 'X');
			break;
		case 'o':
			emit_number(&o, &s, take_unsigned(&s, &ap), 0, 8, 0);
			break;
		case 'p':
			s.alt = 1;
			emit_number(&o, &s, (uintptr_t)va_arg(ap, void *), 0, 16, 0);
			break;
		case 'c':
			emit(&o, (char)va_arg(ap, int));
			break;
		case 's':
			emit_string(&o, &s, va_arg(ap, const char *));
			break;
		case '%':
			emit(&o, '%');
			break;
		case '\0':
			f--; /* a lone '%' at the end: stop without reading past */
			break;
		default: /* unknown conversion: print it as is */
			emit(&o, '%');
			emit(&o, *f);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size, used;
};

static void buf_put(void *p, char c)
{
	struct buf_ctx *b = p;

	if (b->used + 1 < b->size)
		b->buf[b->used] = c;
	b->used++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *f, va_list ap)
{
	struct buf_ctx b = { buf, size, 0 };
	int n = fmt_vformat(buf_put, &b, f, ap);

	if (size)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	int n = fmt_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}
