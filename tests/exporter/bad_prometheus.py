#!/usr/bin/env python3
"""A server that answers like a broken Prometheus, for the error paths of
`auditpeak advise --prometheus` that a real server will not take on cue:
  hang     accept, read the request, never answer
  huge     200 with a body that never ends
  html     200 with a web page instead of the API's JSON
  status   500 with a plain-text body
  bearer T an empty answer to requests that carry "Authorization: Bearer T",
           401 to others (Prometheus itself has no bearer tokens: a proxy
           in front of it does this)
Prints "listening PORT" once it accepts; runs until killed."""
import socket
import sys
import threading

MODE = sys.argv[1]


def serve(conn):
    try:
        request = conn.recv(65536)
        if MODE == "bearer":
            if b"\r\nAuthorization: Bearer " + sys.argv[2].encode() + b"\r\n" in request:
                body = b'{"status":"success","data":{"resultType":"vector","result":[]}}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
        elif MODE == "hang":
            threading.Event().wait()
        elif MODE == "huge":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
                         b'{"status":"success","data":{"resultType":"vector","result":[')
            chunk = b'{"metric":{"instance":"x"},"value":[1,"1"]},' * 4096
            while True:
                conn.sendall(chunk)
        elif MODE == "html":
            body = b"<html><body>Prometheus Time Series Collection</body></html>"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
        else:
            body = b"internal error"
            conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
    except OSError:
        pass
    finally:
        if MODE != "hang":
            conn.close()


s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print("listening", s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
