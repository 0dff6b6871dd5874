/* The lecture's system calls in C, timed the way bench/runtime_bench.py times
 * the same calls made through rt in a gosys cell. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* fork + _exit + waitpid, median of n, in ms. */
static double fork_median(int n) {
    double *t = malloc(n * sizeof *t);
    for (int i = 0; i < n; i++) {
        double s = now();
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        waitpid(pid, NULL, 0);
        t[i] = (now() - s) * 1e3;
    }
    qsort(t, n, sizeof *t, cmp);
    double m = t[n / 2];
    free(t);
    return m;
}

/* bytes through a pipe to a child, MiB/s. */
static double pipe_mibs(long total) {
    int p[2];
    pipe(p);
    static char buf[65536];
    double s = now();
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        while (read(p[0], buf, sizeof buf) > 0) {}
        _exit(0);
    }
    close(p[0]);
    for (long sent = 0; sent < total; sent += sizeof buf) write(p[1], buf, sizeof buf);
    close(p[1]);
    waitpid(pid, NULL, 0);
    return total / (1024.0 * 1024.0) / (now() - s);
}

/* one-byte echo round trips over loopback TCP per second. */
static double echo_rps(int n) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    socklen_t len = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &len);
    pid_t pid = fork();
    if (pid == 0) {
        int c = accept(l, NULL, NULL);
        char b;
        while (read(c, &b, 1) == 1) write(c, &b, 1);
        _exit(0);
    }
    close(l);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char b = 'x';
    double s = now();
    for (int i = 0; i < n; i++) {
        write(c, &b, 1);
        read(c, &b, 1);
    }
    double rps = n / (now() - s);
    close(c);
    waitpid(pid, NULL, 0);
    return rps;
}

int main(int argc, char **argv) {
    int forks = argc > 1 ? atoi(argv[1]) : 200;
    long bytes = argc > 2 ? atol(argv[2]) : 1L << 30;
    int echoes = argc > 3 ? atoi(argv[3]) : 20000;
    printf("fork_ms %.4f\n", fork_median(forks));
    printf("pipe_mibs %.1f\n", pipe_mibs(bytes));
    printf("echo_rps %.0f\n", echo_rps(echoes));
    return 0;
}
