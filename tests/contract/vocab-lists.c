/* vocab-lists.c — prints every list of lib/vocab.h as one JSON object {"contact_kind": ["meeting", ...], ...},
 * in the engine's order, for vocab.mjs to compare with openapi.yaml's enums. */
#include <stdio.h>

#include "vocab.h"

/* One member, quoted, after a comma unless it is the list's first. */
#define MEMBER(c, s) printf("%s\"%s\"", first ? "" : ", ", s), first = 0;
/* One list as "name": [members]. */
#define LIST(name, LIST_MACRO)                                                                                         \
    printf("%s\"%s\": [", lists++ ? ", " : "", #name), first = 1;                                                      \
    LIST_MACRO(MEMBER, PE_VOCAB_NONE) printf("]");

/* Prints the lists; the names are plain identifiers and words, so no JSON escaping is needed. */
int main(void)
{
    int lists = 0, first = 1;
    printf("{");
    PE_VOCAB_ALL(LIST)
    printf("}\n");
    return 0;
}
