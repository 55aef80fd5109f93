#!/usr/bin/env python3
"""UDP echo round trips: the application benchmark's client (scripts/bench.py).

usage: udp_rtt.py HOST PORT COUNT [--size BYTES] [--warmup N] [--timeout S]

Sends COUNT datagrams of BYTES payload to HOST:PORT one at a time, each
after the previous one's echo came back (or its timeout passed), and times
each round trip with the monotonic clock. The first --warmup pings (ARP,
caches) are not counted. Prints one line, times in microseconds:

  udp-rtt: sent=N received=N lost=N median_us=F p99_us=F min_us=F max_us=F

Exit status 0 when at least one echo came back, 1 otherwise, 2 for bad usage.
A reply must carry the request's sequence number: a late echo of an earlier
ping is not taken for the current one.
"""
import argparse
import socket
import statistics
import struct
import sys
import time

SEQUENCE = struct.Struct("!Q")
NS_PER_US = 1000


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def ping(sock, sequence, payload, timeout_s):
    """Round trip in ns for one datagram, or None when its echo did not come."""
    request = SEQUENCE.pack(sequence) + payload
    start = time.perf_counter_ns()
    sock.send(request)
    deadline = start + timeout_s * 1e9
    while True:
        remaining = (deadline - time.perf_counter_ns()) / 1e9
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            reply = sock.recv(len(request) + 1)
        except (socket.timeout, ConnectionRefusedError):
            return None
        if reply == request:
            return time.perf_counter_ns() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--size", type=int, default=64, help="payload bytes (default 64)")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted pings (default 10)")
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds per ping (default 1)")
    args = parser.parse_args()
    if args.count < 1 or args.size < SEQUENCE.size:
        parser.error(f"COUNT must be positive and --size at least {SEQUENCE.size}")
    payload = b"u" * (args.size - SEQUENCE.size)
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((args.host, args.port))
        for sequence in range(args.warmup + args.count):
            rtt = ping(sock, sequence, payload, args.timeout)
            if sequence >= args.warmup and rtt is not None:
                rtts.append(rtt / NS_PER_US)
    if not rtts:
        print(f"udp-rtt: sent={args.count} received=0 lost={args.count}")
        return 1
    rtts.sort()
    print(f"udp-rtt: sent={args.count} received={len(rtts)} lost={args.count - len(rtts)} "
          f"median_us={statistics.median(rtts):.1f} p99_us={percentile(rtts, 0.99):.1f} "
          f"min_us={rtts[0]:.1f} max_us={rtts[-1]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
