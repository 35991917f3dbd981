/* fuzz_csv.c — the CSV reader on any bytes: csv_init then csv_next to the end or the first error.
 * Checks what csv.h promises: a record's fields are NUL-terminated strings without NUL, and an error
 * always says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* libFuzzer's entry point: one input, every record read. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_reader reader;
    struct csv_row row = {0};
    if (csv_init(&reader, (const char *)data, size) != 0) {
        if (!reader.error[0])
            abort();
        return 0;
    }
    int more;
    while ((more = csv_next(&reader, &row)) == 1)
        for (size_t i = 0; i < row.n; i++)
            if (!row.fields[i] || strlen(row.fields[i]) > size)
                abort();
    if (more < 0 && !reader.error[0])
        abort();
    csv_row_free(&row);
    free(row.fields);
    return 0;
}
