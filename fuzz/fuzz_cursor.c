/* fuzz_cursor.c — cursor decoding on any text: what decodes must encode back to a cursor that decodes
 * to the same key, and a position is 1 to 9 digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

/* libFuzzer's entry point: the input as cursor text (NUL-terminated copy). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *key = cursor_decode(text);
    if (key) {
        char *again = cursor_encode(key);
        char *back = again ? cursor_decode(again) : NULL;
        if (again && (!back || strcmp(back, key) != 0))
            abort();
        long position = -1;
        if (cursor_position(key, &position) == 0 && (position < 0 || position > 999999999L))
            abort();
        free(back);
        free(again);
        free(key);
    }
    free(text);
    return 0;
}
