"""The messages of the interop scenario, the same as scenario_test.go's and
interop/node's: each side compares the echoes with what it sent."""

import json
import sys


def text(n):
    """A string of exactly n UTF-8 bytes, rich in multi-byte characters."""
    pattern = "WebSocket ✓ — héllo wörld, 世界, καλημέρα, привет 👋🏽; "
    unit = len(pattern.encode("utf-8"))
    s = pattern * (n // unit)
    return s + "." * (n - len(s.encode("utf-8")))


def binary(n):
    """n pseudo-random bytes (a linear congruential generator, so that the
    data does not compress)."""
    b = bytearray(n)
    x = 12345
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        b[i] = x >> 24
    return bytes(b)


# The echo steps: (name, data); str is a text message, bytes binary.
STEPS = [
    ("text", "hello, wörld ✓"),
    ("binary-0-255", bytes(range(256))),
    ("text-1MiB", text(1 << 20)),
    ("binary-1MiB", binary(1 << 20)),
]


def in_order(i):
    """Message i of the 100 small ones: text and binary in turn."""
    if i % 2 == 0:
        return "message %03d" % i
    return ("binary %03d " % i).encode("ascii") + b"\x00\xff"


def report(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def close_info(ws):
    """How a connection of the legacy API closed: the peer's close frame and
    whether close frames went both ways."""
    rcvd, sent = ws.close_rcvd, ws.close_sent
    return dict(
        code=rcvd.code if rcvd else 1006,
        reason=rcvd.reason if rcvd else "",
        wasClean=rcvd is not None and sent is not None,
    )
