"""A round-robin load balancer on loopback for the replica tests: each request goes to the next
replica; a replica that refuses the connection (it is dead) is skipped, as a load balancer's health
check would. A request cut off mid-way is answered 502 and not retried, so a write is either
acknowledged by one replica or not at all."""

import itertools
import threading
from http.server import BaseHTTPRequestHandler

import requests

from conftest import free_port, serve_on_loopback, stop_serving

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length"}


class Balancer:
    def __init__(self, upstreams):
        self.upstreams = list(upstreams)
        self.turn = itertools.count()
        self.lock = threading.Lock()
        self.answered = {upstream: 0 for upstream in self.upstreams}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.httpd = None
        self.session = requests.Session()

    def next_upstreams(self):
        with self.lock:
            start = next(self.turn)
        return [self.upstreams[(start + offset) % len(self.upstreams)] for offset in range(len(self.upstreams))]

    def start(self):
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                assert "chunked" not in self.headers.get("Transfer-Encoding", ""), "the tests send lengths"
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
                for upstream in balancer.next_upstreams():
                    try:
                        reply = requests.request(self.command, upstream + self.path, headers=headers, data=body,
                                                 stream=True, allow_redirects=False, timeout=60)  # fmt: skip
                        content = reply.raw.read(decode_content=False)
                    except requests.ConnectionError as error:
                        if "Connection refused" in str(error):
                            continue  # never reached the replica: safe to send to the next
                        return self.answer(502, [], b"cut off")
                    with balancer.lock:
                        balancer.answered[upstream] += 1
                    kept = [(n, v) for n, v in reply.raw.headers.items() if n.lower() not in HOP_BY_HOP]
                    return self.answer(reply.status_code, kept, content)
                self.answer(503, [], b"no replica answers")

            def answer(self, status, headers, content):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

            def log_message(self, *args):
                pass

        self.httpd = serve_on_loopback(Handler, self.port)
        return self

    def stop(self):
        if self.httpd:
            stop_serving(self.httpd)
            self.httpd = None
