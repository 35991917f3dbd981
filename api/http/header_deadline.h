/* header_deadline.h — a deadline for a request's headers, counted from when they may begin (the
 * connection opened, or the previous response on it completed) whatever the client sends meanwhile.
 * libmicrohttpd's own timeout is idle time, which a client trickling a byte now and then never
 * reaches ("slowloris"); a reaper thread shuts down the socket of every connection whose headers are
 * overdue, and libmicrohttpd then closes it as it would any connection the peer dropped. */
#ifndef TUTORD_HEADER_DEADLINE_H
#define TUTORD_HEADER_DEADLINE_H

/* The deadlines of one server. */
struct header_deadlines;

/* One connection's entry; owned by the deadlines, handed out by header_deadline_open. */
struct header_slot;

/* Starts the reaper; new connections' headers are due within `seconds`. Returns NULL when out of
 * memory or no thread. */
struct header_deadlines *header_deadlines_start(int seconds);

/* Stops the reaper and frees what is left; NULL-safe. Call after the server stopped. */
void header_deadlines_stop(struct header_deadlines *d);

/* A new connection on socket `fd`: its headers are due within the deadline. Returns its slot, or NULL
 * when out of memory (the connection then simply has no deadline). Thread-safe. */
struct header_slot *header_deadline_open(struct header_deadlines *d, int fd);

/* The connection's headers are in: no deadline until the next request. NULL-safe, thread-safe. */
void header_deadline_disarm(struct header_deadlines *d, struct header_slot *slot);

/* The connection's next headers are due within `seconds` from now: replacing any deadline it had, or,
 * when `tighten` is set, only bringing an earlier one forward (never extending it). NULL-safe,
 * thread-safe. */
void header_deadline_arm(struct header_deadlines *d, struct header_slot *slot, int seconds, int tighten);

/* The connection closed: forget and free its slot. NULL-safe, thread-safe. */
void header_deadline_close(struct header_deadlines *d, struct header_slot *slot);

#endif
