/* Running a library call in a forked child: see isolate.h. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "isolate.h"

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static size_t pages_for(size_t size)
{
    size_t page = page_size();
    return (size + page - 1) / page * page;
}

void *ndc_shared_alloc(size_t size)
{
    size_t page = page_size(), bytes;
    uint8_t *map;

    if (size > SIZE_MAX / 2 - 4 * page) {
        errno = ENOMEM;
        return NULL;
    }
    bytes = pages_for(size ? size : 1);
    map = mmap(NULL, bytes + 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    if (mprotect(map, page, PROT_NONE) != 0 || mprotect(map + page + bytes, page, PROT_NONE) != 0) {
        int saved = errno;
        munmap(map, bytes + 2 * page);
        errno = saved;
        return NULL;
    }
    return map + page;
}

void ndc_shared_free(void *ptr, size_t size)
{
    size_t page = page_size();

    if (ptr != NULL)
        munmap((uint8_t *)ptr - page, pages_for(size ? size : 1) + 2 * page);
}

/* What the child leaves for the parent. */
typedef struct {
    long result;
    int done;
} child_status;

static void child_main(long (*work)(void *), void *arg, child_status *status, unsigned seconds)
{
    struct rlimit limit;
    sigset_t none;
    int null = open("/dev/null", O_WRONLY);

    /* the parent's handlers (Python's, faulthandler's) must not run here */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* keep the library's messages, and the parent's unflushed output
       copied into this process, out of the parent's streams */
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
    }
    limit.rlim_cur = limit.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &limit);
    limit.rlim_cur = seconds;
    limit.rlim_max = seconds + 1;
    setrlimit(RLIMIT_CPU, &limit);
    alarm(seconds);
    status->result = work(arg);
    status->done = 1;
    _exit(0);
}

long ndc_isolated_run(long (*work)(void *arg), void *arg, unsigned seconds, int *detail)
{
    child_status *status;
    pid_t pid, got;
    int wstatus = 0;
    long result;

    *detail = 0;
    status = ndc_shared_alloc(sizeof(child_status));
    if (status == NULL) {
        *detail = errno;
        return NDC_ISOLATED_SYSTEM;
    }
    pid = fork();
    if (pid == 0)
        child_main(work, arg, status, seconds ? seconds : 1);
    if (pid < 0) {
        *detail = errno;
        ndc_shared_free(status, sizeof(child_status));
        return NDC_ISOLATED_SYSTEM;
    }
    do {
        got = waitpid(pid, &wstatus, 0);
    } while (got < 0 && errno == EINTR);

    if (got != pid) {
        /* the child was reaped elsewhere (SIGCHLD ignored or handled) */
        *detail = errno;
        result = NDC_ISOLATED_SYSTEM;
    } else if (WIFSIGNALED(wstatus)) {
        *detail = WTERMSIG(wstatus);
        result = NDC_ISOLATED_SIGNAL;
    } else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || !status->done || status->result <= -1000) {
        *detail = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
        result = NDC_ISOLATED_EXIT;
    } else {
        result = status->result;
    }
    ndc_shared_free(status, sizeof(child_status));
    return result;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait until `fd` can do `events`, up to the deadline (< 0: none). */
static int wait_for(int fd, short events, long long deadline)
{
    struct pollfd p = {fd, events, 0};
    int timeout, got;

    for (;;) {
        timeout = -1;
        if (deadline >= 0) {
            long long left = deadline - now_ms();
            if (left <= 0)
                return NDC_MESSAGE_TIMEOUT;
            timeout = left > 0x7FFFFFFF ? 0x7FFFFFFF : (int)left;
        }
        got = poll(&p, 1, timeout);
        if (got > 0)
            return 0;
        if (got == 0)
            return NDC_MESSAGE_TIMEOUT;
        if (errno != EINTR)
            return NDC_MESSAGE_SYSTEM;
    }
}

static long long deadline_of(int timeout_ms) { return timeout_ms < 0 ? -1 : now_ms() + timeout_ms; }

static int send_all(int fd, const void *data, size_t size, long long deadline)
{
    const uint8_t *p = data;
    ssize_t n;
    int err;

    while (size > 0) {
        if ((err = wait_for(fd, POLLOUT, deadline)) != 0)
            return err;
        n = send(fd, p, size > (1u << 30) ? (1u << 30) : size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return errno == EPIPE || errno == ECONNRESET ? NDC_MESSAGE_CLOSED : NDC_MESSAGE_SYSTEM;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static int recv_all(int fd, void *data, size_t size, long long deadline)
{
    uint8_t *p = data;
    ssize_t n;
    int err;

    while (size > 0) {
        if ((err = wait_for(fd, POLLIN, deadline)) != 0)
            return err;
        n = recv(fd, p, size > (1u << 30) ? (1u << 30) : size, MSG_DONTWAIT);
        if (n == 0)
            return NDC_MESSAGE_CLOSED;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return errno == ECONNRESET ? NDC_MESSAGE_CLOSED : NDC_MESSAGE_SYSTEM;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

int ndc_message_send(int fd, const void *head, size_t headsize, const void *body, size_t bodysize, int timeout_ms)
{
    long long deadline = deadline_of(timeout_ms);
    uint64_t size = bodysize;
    int err;

    if ((err = send_all(fd, head, headsize, deadline)) != 0 || (err = send_all(fd, &size, sizeof(size), deadline)) != 0)
        return err;
    return send_all(fd, body, bodysize, deadline);
}

int ndc_message_head(int fd, void *head, size_t headsize, size_t *bodysize, int timeout_ms)
{
    long long deadline = deadline_of(timeout_ms);
    uint64_t size = 0;
    int err;

    *bodysize = 0;
    if ((err = recv_all(fd, head, headsize, deadline)) != 0 || (err = recv_all(fd, &size, sizeof(size), deadline)) != 0)
        return err;
    if (size > SIZE_MAX / 2) {
        errno = EMSGSIZE;
        return NDC_MESSAGE_SYSTEM;
    }
    *bodysize = (size_t)size;
    return 0;
}

int ndc_message_body(int fd, void *dst, size_t size, int timeout_ms)
{
    return recv_all(fd, dst, size, deadline_of(timeout_ms));
}

void ndc_serve(int fd, size_t headsize, ndc_handler handle)
{
    uint8_t *head = malloc(headsize ? headsize : 1), *body = NULL, *reply;
    size_t size, replysize;
    int err;

    if (head == NULL || ndc_message_send(fd, "", 1, NULL, 0, -1) != 0) {
        free(head);
        return;
    }
    for (;;) {
        if (ndc_message_head(fd, head, headsize, &size, -1) != 0)
            break;
        body = malloc(size ? size : 1);
        if (body == NULL || ndc_message_body(fd, body, size, -1) != 0)
            break;
        replysize = 0;
        reply = handle(head, body, size, &replysize);
        free(body);
        body = NULL;
        err = ndc_message_send(fd, head, headsize, reply, reply != NULL ? replysize : 0, -1);
        free(reply);
        if (err != 0)
            break;
    }
    free(body);
    free(head);
}
