/* routes.h — each routes_<resource>.c exports routes_<resource>_register(instance, app); the build
 * generates routes_all.c, which calls every one of them (api/CMakeLists.txt). */
#ifndef TUTORD_ROUTES_H
#define TUTORD_ROUTES_H

#include <ulfius.h>

#include "app.h"

/* Registers every resource module's routes. Returns 0, or non-zero when any failed (logged). */
int routes_register_all(struct _u_instance *instance, const struct app *app);

#endif
