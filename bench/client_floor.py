"""The MLflow client's own cost per call: the floor under what any server can reach through it.

A server that does no work answers the client suite. It runs twice against one real server: first
recording, passing every request on and keeping the last answer for each method and path (query
string left out), then replaying, answering every call at once from what it kept, without reading
a store or parsing the body. What the client then measures is its own work (building the request,
requests/urllib3, json.loads, protobuf's ParseDict, entity objects) plus this server's few tens of
microseconds of asyncio. No server's answer can come back faster through the same client.

Artifacts are left out: their paths name run ids that differ between the two passes.
"""

import asyncio
import http.client
import threading


class FloorServer:
    """A loopback HTTP/1.1 keep-alive server on `port` in a thread of its own; `replaying` switches
    it from recording (forwarding to `upstream`, host:port) to answering from the recording."""

    def __init__(self, upstream, port):
        self.upstream, self.port = upstream, port
        self.answers, self.replaying, self.misses = {}, False, 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _serve(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", self.port))
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            server.close()

    async def _connection(self, reader, writer):
        upstream = http.client.HTTPConnection(self.upstream, timeout=120)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
                body = await reader.readexactly(length) if length else b""
                key = (method, target.split("?", 1)[0])
                answer = self.answers.get(key) if self.replaying else None
                if answer is None:
                    self.misses += self.replaying
                    answer = await asyncio.to_thread(self._forward, upstream, method, target, headers, body)
                    self.answers[key] = answer
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            upstream.close()
            writer.close()

    @staticmethod
    def _forward(connection, method, target, headers, body):
        passed = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length", "connection")}
        connection.request(method, target, body=body or None, headers=passed)
        reply = connection.getresponse()
        data = reply.read()
        kept = "".join(f"{k}: {v}\r\n" for k, v in reply.getheaders()
                       if k.lower() in ("content-type", "x-request-id", "date", "server"))
        return (f"HTTP/1.1 {reply.status} {reply.reason}\r\n{kept}Content-Length: {len(data)}\r\n\r\n").encode() + data
