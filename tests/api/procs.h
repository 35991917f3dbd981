/* procs.h — helper processes of the API suites (a JWKS server, an SMTP sink): ports on loopback, starting,
 * awaiting and stopping them. Failures abort the running Check test. */
#ifndef TUTORD_TEST_PROCS_H
#define TUTORD_TEST_PROCS_H

#include <sys/types.h>

/* The Python the support scripts run with. */
#define PROCS_PYTHON "/usr/bin/python3"

/* A port nobody listens on right now (the kernel's choice). */
int procs_free_port(void);

/* True when something accepts TCP connections on 127.0.0.1:port. */
int procs_listening(int port);

/* Starts argv[0] with argv and `env` ("NAME=VALUE" entries added, NULL-terminated, may be NULL). */
pid_t procs_spawn(char *const argv[], char *const env[]);

/* Stops a process the suite started: SIGTERM, up to 5 s, then SIGKILL; always reaps it; sets *pid to 0. */
void procs_stop(pid_t *pid);

/* Waits up to `seconds` until something listens on `port`; the process `pid` must stay alive meanwhile. */
void procs_await_listening(pid_t pid, int port, int seconds);

/* Writes the source tree's tests/support folder into dir[size] (found from $TUTORD_PG_CLUSTER, which is
 * <source>/scripts/pg-cluster). */
void procs_support_dir(char *dir, size_t size);

#endif
