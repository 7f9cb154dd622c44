/*
 * What this machine's kernel charges for a UDP datagram on loopback, with no JVM in the way:
 * N sockets each send one 172-byte datagram (a PCMU packet) to one sink in turn, then each
 * receives one, as srproxy's per-call SIP sockets do; CPU time of the thread per datagram.
 * The sink is emptied between rounds and not counted. Loopback only, ephemeral ports, 200 rounds.
 *
 *   cc -O2 -o /tmp/udp-syscall-cost scripts/bench/udp-syscall-cost.c && /tmp/udp-syscall-cost 1000
 *
 * See docs/benchmarks.md, "A relayed call's packets, part by part".
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double thread_cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int loopback_socket(struct sockaddr_in *bound) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (void *) &a, sizeof a) != 0 || getsockname(fd, (void *) &a, &len) != 0) {
        perror("socket");
        exit(1);
    }
    *bound = a;
    return fd;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int rounds = 200;
    if (n < 1 || n > 20000) {
        fprintf(stderr, "usage: %s [sockets, 1..20000]\n", argv[0]);
        return 2;
    }
    struct sockaddr_in sink_addr;
    int sink = loopback_socket(&sink_addr);
    int big = 8 << 20;
    setsockopt(sink, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big); /* root only; else rmem_max */
    setsockopt(sink, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    int *fds = malloc(n * sizeof *fds);
    struct sockaddr_in *addrs = malloc(n * sizeof *addrs);
    for (int i = 0; i < n; i++) {
        fds[i] = loopback_socket(&addrs[i]);
    }
    char packet[172], in[2048];
    memset(packet, 0x80, sizeof packet);
    double send_cpu = 0, receive_cpu = 0;
    long sent = 0, received = 0;
    for (int r = 0; r < rounds; r++) {
        double c0 = thread_cpu();
        for (int i = 0; i < n; i++) {
            if (sendto(fds[i], packet, sizeof packet, 0, (void *) &sink_addr, sizeof sink_addr) > 0) {
                sent++;
            }
        }
        send_cpu += thread_cpu() - c0;
        while (recv(sink, in, sizeof in, 0) > 0) {
        }
        for (int i = 0; i < n; i++) { /* the far end's sends: not counted */
            sendto(sink, packet, sizeof packet, 0, (void *) &addrs[i], sizeof addrs[i]);
        }
        c0 = thread_cpu();
        for (int i = 0; i < n; i++) {
            struct sockaddr_in from;
            socklen_t len = sizeof from;
            if (recvfrom(fds[i], in, sizeof in, 0, (void *) &from, &len) > 0) {
                received++;
            }
        }
        receive_cpu += thread_cpu() - c0;
    }
    printf("%d sockets in turn: sendto %.2f us, recvfrom %.2f us of CPU per datagram (%ld sent, %ld received)\n",
           n, send_cpu * 1e6 / sent, receive_cpu * 1e6 / received, sent, received);
    return 0;
}
