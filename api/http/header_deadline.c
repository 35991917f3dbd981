/* header_deadline.c — the reaper of overdue request headers (see header_deadline.h). Armed slots sit
 * in one list under a mutex; the reaper wakes four times a second and shuts down the socket of every
 * slot past its deadline. A slot leaves the list when its headers are in or its connection closes, both
 * under the same mutex, so the reaper never touches a socket its connection no longer owns. */
#include "header_deadline.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct header_slot {
    struct header_slot *prev, *next; /* in the armed list while armed */
    int fd;
    int armed;
    struct timespec due;
};

struct header_deadlines {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t reaper;
    int seconds;
    int stopping;
    struct header_slot *armed; /* head of the armed list */
};

/* Removes an armed slot from the list (lock held). */
static void unlink_slot(struct header_deadlines *d, struct header_slot *s)
{
    if (!s->armed)
        return;
    if (s->prev)
        s->prev->next = s->next;
    else
        d->armed = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
    s->armed = 0;
}

/* True when a is before b. */
static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Shuts down every overdue socket (lock held) and takes its slot off the list. */
static void reap(struct header_deadlines *d)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    for (struct header_slot *s = d->armed, *next; s; s = next) {
        next = s->next;
        if (before(&s->due, &now)) {
            shutdown(s->fd, SHUT_RDWR);
            unlink_slot(d, s);
        }
    }
}

/* The reaper thread: reaps every quarter second until stopped. */
static void *reaper_main(void *arg)
{
    struct header_deadlines *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        reap(d);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250L * 1000 * 1000;
        if (until.tv_nsec >= 1000L * 1000 * 1000) {
            until.tv_sec++;
            until.tv_nsec -= 1000L * 1000 * 1000;
        }
        pthread_cond_timedwait(&d->wake, &d->lock, &until);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

struct header_deadlines *header_deadlines_start(int seconds)
{
    struct header_deadlines *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->seconds = seconds;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    if (pthread_create(&d->reaper, NULL, reaper_main, d) != 0) {
        pthread_cond_destroy(&d->wake);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return NULL;
    }
    return d;
}

void header_deadlines_stop(struct header_deadlines *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = 1;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->reaper, NULL);
    for (struct header_slot *s = d->armed, *next; s; s = next) {
        next = s->next;
        free(s);
    }
    d->armed = NULL;
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void header_deadline_arm(struct header_deadlines *d, struct header_slot *s, int seconds, int tighten)
{
    if (!d || !s)
        return;
    struct timespec due;
    clock_gettime(CLOCK_MONOTONIC, &due);
    due.tv_sec += seconds;
    pthread_mutex_lock(&d->lock);
    if (!(tighten && s->armed && before(&s->due, &due))) {
        unlink_slot(d, s);
        s->due = due;
        s->next = d->armed;
        if (d->armed)
            d->armed->prev = s;
        d->armed = s;
        s->armed = 1;
    }
    pthread_mutex_unlock(&d->lock);
}

struct header_slot *header_deadline_open(struct header_deadlines *d, int fd)
{
    struct header_slot *s = d ? calloc(1, sizeof(*s)) : NULL;
    if (!s)
        return NULL;
    s->fd = fd;
    header_deadline_arm(d, s, d->seconds, 0);
    return s;
}

void header_deadline_disarm(struct header_deadlines *d, struct header_slot *s)
{
    if (!d || !s)
        return;
    pthread_mutex_lock(&d->lock);
    unlink_slot(d, s);
    pthread_mutex_unlock(&d->lock);
}

void header_deadline_close(struct header_deadlines *d, struct header_slot *s)
{
    if (!d || !s)
        return;
    header_deadline_disarm(d, s);
    free(s);
}
