/* Hostile artifact: write to a file for ever (the kernel's SIGXFSZ stops it). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    static char block[1 << 20];
    FILE *out = fopen(argc > 1 ? argv[1] : "fill.bin", "wb");
    if (out == NULL) {
        perror("fopen");
        return 2;
    }
    memset(block, 'x', sizeof block);
    for (;;) {
        fwrite(block, 1, sizeof block, out);
        fflush(out);
    }
}
