/* routes.h — each resource module registers its routes; main calls them in turn. */
#ifndef TUTORD_ROUTES_H
#define TUTORD_ROUTES_H

#include <ulfius.h>

#include "app.h"

/* Each returns 0, or non-zero when a route could not be registered (logged). */
int routes_health_register(struct _u_instance *instance, const struct app *app);
int routes_schools_register(struct _u_instance *instance, const struct app *app);
int routes_students_register(struct _u_instance *instance, const struct app *app);

#endif
