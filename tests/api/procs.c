/* procs.c — helper processes of the API suites (see procs.h). */
#include "procs.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int procs_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    ck_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    ck_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

int procs_listening(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

pid_t procs_spawn(char *const argv[], char *const env[])
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        for (size_t i = 0; env && env[i]; i++)
            putenv(env[i]);
        execv(argv[0], argv);
        _exit(127);
    }
    ck_assert_msg(pid > 0, "fork failed: %s", strerror(errno));
    return pid;
}

void procs_stop(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = 0;
            return;
        }
        usleep(50 * 1000);
    }
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = 0;
}

void procs_await_listening(pid_t pid, int port, int seconds)
{
    for (int i = 0; i < seconds * 20 && !procs_listening(port); i++) {
        ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "a helper process exited during start-up");
        usleep(50 * 1000);
    }
    ck_assert_msg(procs_listening(port), "nothing listens on port %d", port);
}

void procs_support_dir(char *dir, size_t size)
{
    const char *cluster = getenv("TUTORD_PG_CLUSTER");
    snprintf(dir, size, "%s", cluster ? cluster : "./scripts/pg-cluster");
    char *cut = strstr(dir, "/scripts/pg-cluster");
    ck_assert_ptr_nonnull(cut);
    snprintf(cut, size - (size_t)(cut - dir), "/tests/support");
}
