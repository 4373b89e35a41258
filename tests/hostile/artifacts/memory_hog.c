/* Hostile artifact: allocate and touch memory until malloc fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t total = 0;
    for (;;) {
        char *block = malloc(16u << 20);
        if (block == NULL) {
            perror("malloc");
            fprintf(stderr, "out of memory after %zu MiB\n", total >> 20);
            return 1;
        }
        memset(block, 1, 16u << 20);
        total += 16u << 20;
    }
}
