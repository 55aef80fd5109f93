/*
 * hello: the smallest application. Shows what an app can use: printf
 * through newlib to the serial console, malloc, the clock and its
 * command-line arguments (make run CMDLINE='-- a b').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec now;
	char *greeting = malloc(64);

	if (!greeting) {
		fprintf(stderr, "hello: out of memory\n");
		return 1;
	}
	snprintf(greeting, 64, "Hello from ukbpf!");
	printf("%s\n", greeting);
	free(greeting);

	clock_gettime(CLOCK_REALTIME, &now);
	printf("hello: the time is %lld s since the epoch\n", (long long)now.tv_sec);
	for (int i = 1; i < argc; i++)
		printf("hello: argv[%d] = %s\n", i, argv[i]);
	return 0;
}
