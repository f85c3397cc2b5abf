"""The local front's HTTP plumbing: read a request off the socket, hand it on, write the answer.

A ThreadingHTTPServer whose handler turns each request into an
`IncomingRequest`, asks the gateway (`local.front.LocalFront`) what to answer,
writes it back and logs one line. What it enforces itself is what API Gateway
enforces before reading a request: a body over HTTP API's 10 MB quota gets 413
`{"message":"Request Entity Too Large"}` without the body being kept, and an
unreadable one 400.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from local.http_event import (
    INTERNAL_SERVER_ERROR,
    REQUEST_TOO_LARGE,
    GatewayResponse,
    IncomingRequest,
    gateway_error,
    new_request_id,
)

# The front's log: one line per request, written here.
log = logging.getLogger("local.front")

# HTTP API's request payload quota.
MAX_BODY_BYTES = 10 * 1024 * 1024
# Beyond this an oversized body is not read at all: 413 and the connection closes.
MAX_DRAIN_BYTES = 64 * 1024 * 1024
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")


class BodyTooLarge(Exception):
    pass


@dataclass
class Served:
    """What the front answered, and why (for the log line)."""

    response: GatewayResponse
    route_key: str = "-"
    note: str = ""


class Gateway(Protocol):
    """What answers a request once it is read: the local API Gateway."""

    def handle(self, request: IncomingRequest, request_id: str) -> Served: ...


class FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    # browsers and load tests open many connections at once; the default backlog is 5
    request_queue_size = 128
    allow_reuse_address = True
    gateway: Gateway


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "local-apigw"
    # headers and body leave in two writes: with Nagle on, a keep-alive client's delayed
    # ACK held every response back ~40 ms
    disable_nagle_algorithm = True
    server: FrontServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _serve

    def _discard(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                return  # the client went away
            length -= len(chunk)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                if total > MAX_BODY_BYTES:
                    raise BodyTooLarge
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                self._discard(size)  # keep reading: the client gets its 413, not a reset
            else:
                chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            if length <= MAX_DRAIN_BYTES:
                self._discard(length)  # a client still sending would see a reset, not the 413
            raise BodyTooLarge
        return self.rfile.read(length) if length > 0 else b""

    def _write(self, response: GatewayResponse, request_id: str, close: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("apigw-requestid", request_id)
        self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _serve(self) -> None:
        started = time.monotonic()
        request_id = new_request_id()
        target = self.path
        if "://" in target:  # absolute-form request target
            target = "/" + target.split("://", 1)[1].partition("/")[2]
        raw_path, _, raw_query = target.split("#", 1)[0].partition("?")
        close = False
        try:
            body = self._read_body()
        except BodyTooLarge:
            served, close = (
                Served(gateway_error(413, REQUEST_TOO_LARGE), note="body over 10 MB"),
                True,
            )
        except ValueError:
            served, close = Served(gateway_error(400, b'{"message":"Bad Request"}')), True
        else:
            request = IncomingRequest(
                method=self.command,
                raw_path=raw_path,
                raw_query=raw_query,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                server_port=self.server.server_address[1],
            )
            try:
                served = self.server.gateway.handle(request, request_id)
            except Exception:
                log.exception("the local front failed on %s %s", self.command, self.path)
                served = Served(gateway_error(500, INTERNAL_SERVER_ERROR), note="front error")
        self._write(served.response, request_id, close)
        elapsed = (time.monotonic() - started) * 1000
        log.info(
            '%s "%s %s" %d %.1fms route=%s %s id=%s',
            self.client_address[0],
            self.command,
            self.path,
            served.response.status,
            elapsed,
            served.route_key,
            served.note or "-",
            request_id,
        )


for _method in METHODS:
    setattr(RequestHandler, f"do_{_method}", RequestHandler._serve)
