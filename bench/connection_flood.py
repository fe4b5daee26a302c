"""A flood of idle connections from one client against `hokusai serve`, bounded in count and time.

Opens COUNT connections to a fresh server on loopback and holds them idle, then times /health
from another connection while they are held, closes them, and reads the server's RSS before,
during and after. Prints the numbers; asserts nothing (see tests/ for behaviour).

    python bench/connection_flood.py [--count 20000] .build/release/hokusai [serve flags…]
"""

import argparse
import http.client
import resource
import socket
import tempfile
import time
import urllib.request

from servers import start_hokusai


def health_ms(url):
    """/health from another client address (127.0.0.2: loopback is a /8), as another user would."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=("127.0.0.2", 0))
        connection.request("GET", "/health")
        status = connection.getresponse().status
        connection.close()
        return f"{status} in {(time.monotonic() - started) * 1000:.1f} ms"
    except Exception as error:  # noqa: BLE001 - the failure is the measurement
        return f"failed after {(time.monotonic() - started):.1f} s ({type(error).__name__})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("serve_flags", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()
    serve_flags = [flag for flag in arguments.serve_flags if flag != "--"]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # This process needs descriptors of its own besides the flood (/proc, the server's pipes).
    count = min(arguments.count, hard - 256)
    with tempfile.TemporaryDirectory() as folder:
        server = start_hokusai(arguments.binary, folder, *serve_flags)
        port = int(server.url.rsplit(":", 1)[1])
        try:
            print(f"idle RSS {server.rss_mib():.1f} MiB; /health {health_ms(server.url)}")
            sockets, deadline = [], time.monotonic() + 120
            for _ in range(count):
                if time.monotonic() > deadline:
                    break
                try:
                    sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                except OSError:
                    break
            time.sleep(1)
            open_count = 0
            for held in sockets:
                held.setblocking(False)
                try:
                    open_count += 0 if held.recv(1) == b"" else 1
                except BlockingIOError:
                    open_count += 1
                except OSError:
                    pass
            print(f"{len(sockets)} connections made, {open_count} still open after 1 s; "
                  f"RSS {server.rss_mib():.1f} MiB; /health from another connection {health_ms(server.url)}")
            for held in sockets:
                held.close()
            time.sleep(5)
            print(f"after closing them: RSS {server.rss_mib():.1f} MiB; /health {health_ms(server.url)}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
