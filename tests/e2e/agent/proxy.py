#!/usr/bin/env python3
"""A minimal HTTP proxy for the agent's tests: CONNECT tunnels (HTTPS) and
absolute-form requests (plain HTTP, one request per connection). It logs one
line per request to the file given as its first argument — the method, the
target, and whether a Proxy-Authorization header came (never its value) —
and prints the port it listens on."""
import socket
import sys
import threading

log_path = sys.argv[1]
lock = threading.Lock()


def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(client):
    try:
        head, rest = read_head(client)
        if head is None:
            return
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        auth = "with-auth" if "proxy-authorization" in headers else "no-auth"
        log(f"{method} {target} {auth}")
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            t = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
            t.start()
            pipe(client, upstream)
            t.join()
            return
        # Absolute form: http://host:port/path -> origin form, one request per connection.
        assert target.startswith("http://")
        hostport, _, path = target[len("http://"):].partition("/")
        host, _, port = hostport.partition(":")
        upstream = socket.create_connection((host, int(port or 80)))
        kept = [l for l in lines[1:] if l.split(":", 1)[0].strip().lower()
                not in ("proxy-authorization", "connection", "proxy-connection")]
        request = "\r\n".join([f"{method} /{path} HTTP/1.1"] + kept + ["Connection: close", "", ""])
        length = int(headers.get("content-length", "0"))
        body = rest
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        upstream.sendall(request.encode("latin-1") + body)
        pipe(upstream, client)
    except Exception as e:  # a test proxy: log and drop the connection
        log(f"ERROR {e!r}")
    finally:
        client.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(64)
print(server.getsockname()[1], flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
