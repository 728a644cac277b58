/* hello.c - the smallest user program: print a line, exit with the argument. */
#include <ulib.h>

int main(uint32_t arg)
{
	printf("hello from pid %d, ring 3\n", getpid());
	return (int)arg;
}
