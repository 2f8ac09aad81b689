/* Running a library call in a forked child, for libraries that crash or
   abort the process on some corrupt input: the crash then ends the child
   only, and the caller gets an error code. */

#ifndef NDC_ISOLATE_H
#define NDC_ISOLATE_H

#include <stddef.h>
#include <stdint.h>

#define NDC_ISOLATED_SIGNAL -1001 /* the child was killed by signal `detail` */
#define NDC_ISOLATED_EXIT -1002   /* it ended without a result (exit status `detail`) */
#define NDC_ISOLATED_SYSTEM -1003 /* mmap, fork or waitpid failed with errno `detail` */

/* `size` bytes of zeroed memory shared with forked children, between two
   inaccessible guard pages, so that a child writing past either end
   faults. NULL if mmap fails (errno set). */
void *ndc_shared_alloc(size_t size);

/* Release memory from ndc_shared_alloc of that `size`; NULL is ignored. */
void ndc_shared_free(void *ptr, size_t size);

/* Run `work(arg)` in a forked child and return its result, which must lie
   above -1000; whatever else it produces goes to memory from
   ndc_shared_alloc. The child runs no Python and no atexit handlers, has
   default signal actions, writes nothing to the parent's stdout and
   stderr, leaves no core file, and is killed after `seconds` of CPU or
   wall time. Otherwise returns an NDC_ISOLATED_ code with `detail`. Safe
   to call from several threads at once. */
long ndc_isolated_run(long (*work)(void *arg), void *arg, unsigned seconds, int *detail);

/* Messages between a process and a helper process over a stream socket:
   a head of a size both sides know, the body's size (8 bytes), the body.
   The functions return 0, or an NDC_MESSAGE_ code with errno for
   NDC_MESSAGE_SYSTEM. `timeout_ms` < 0 waits for ever. */
#define NDC_MESSAGE_CLOSED -1 /* the other side closed the connection */
#define NDC_MESSAGE_TIMEOUT -2
#define NDC_MESSAGE_SYSTEM -3

/* Send a head and a body. Never raises SIGPIPE. */
int ndc_message_send(int fd, const void *head, size_t headsize, const void *body, size_t bodysize, int timeout_ms);

/* Receive a head, and the size of the body that follows. */
int ndc_message_head(int fd, void *head, size_t headsize, size_t *bodysize, int timeout_ms);

/* Receive `size` bytes of the body into `dst`. */
int ndc_message_body(int fd, void *dst, size_t size, int timeout_ms);

/* What a helper process does with one request: `head` (updated in place
   to be the reply's head) and its body. Returns the reply's body,
   allocated with malloc (or NULL), of *replysize bytes. */
typedef void *(*ndc_handler)(void *head, const uint8_t *body, size_t size, size_t *replysize);

/* The loop of a helper process: an empty message (ready), then a reply to
   each request on `fd`, until the connection closes or fails. */
void ndc_serve(int fd, size_t headsize, ndc_handler handle);

#endif
