#!/usr/bin/env bash
# The HTTP side against bad clients and its opt-in protections:
#  - 60 slowloris connections (headers a byte at a time) leave /metrics fast;
#  - request bodies, other methods and oversized headers are refused, and
#    the exporter keeps answering afterwards;
#  - plain HTTP off loopback is refused without --insecure-listen, basic
#    auth off loopback without TLS always;
#  - one address holding its whole share (128 connections) does not keep
#    another out, the rest of its connections are closed, idle ones time
#    out;
#  - TLS with a certificate made here and basic auth from a crypt(3) file:
#    right password 200, wrong or none 401, plain HTTP to the TLS port fails.
. "$(dirname "$0")/exporter_lib.sh"
require curl openssl python3

port=$(free_port tcp)
start_exporter web "$port" --interval 200ms --no-state --no-reset

# Slowloris: loopback only, bounded (stops by itself after ~6 s).
out=$(timeout 30 python3 - "$port" <<'PY'
import socket, sys, threading, time, urllib.request
port = int(sys.argv[1])
slow = []
for _ in range(60):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    slow.append(s)
stop = time.monotonic() + 6
req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
def trickle():
    i = 0
    while time.monotonic() < stop and i < len(req):
        for s in slow:
            try:
                s.send(req[i:i + 1])
            except OSError:
                pass
        i += 1
        time.sleep(0.2)
t = threading.Thread(target=trickle)
t.start()
lat = []
time.sleep(0.5)
while time.monotonic() < stop - 0.5:
    t0 = time.monotonic()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
    lat.append(time.monotonic() - t0)
    assert b"auditpeak_up" in body
    time.sleep(0.2)
t.join()
alive = 0
for s in slow:
    try:
        s.setblocking(False)
        s.recv(1)    # closed (b"") or answered: no longer held
    except BlockingIOError:
        alive += 1   # nothing to read and not closed: still open
    except OSError:
        pass
    s.close()
print(f"scrapes={len(lat)} max_ms={max(lat) * 1000:.0f} slow_alive={alive}")
PY
)
echo "slowloris: $out"
scrapes=$(sed -n 's/.*scrapes=\([0-9]*\).*/\1/p' <<<"$out")
max_ms=$(sed -n 's/.*max_ms=\([0-9]*\).*/\1/p' <<<"$out")
alive=$(sed -n 's/.*slow_alive=\([0-9]*\).*/\1/p' <<<"$out")
[ "${scrapes:-0}" -ge 10 ] && [ "${max_ms:-99999}" -lt 500 ] &&
	ok "60 slow clients: $scrapes scrapes, slowest ${max_ms} ms" || fail "slowloris: ${out:-python failed}"
[ "${alive:-0}" -ge 50 ] && ok "the slow clients were really held open ($alive of 60)" || fail "only ${alive:-0} slow connections stayed open: the test proved nothing"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect_eq "POST refused" "$(code -X POST --data x "http://127.0.0.1:$port/metrics")" 405
expect_eq "GET with a body refused" "$(code -X GET --data x "http://127.0.0.1:$port/metrics")" 413
expect_eq "chunked GET refused" "$(code -X GET -H 'Transfer-Encoding: chunked' --data x "http://127.0.0.1:$port/metrics")" 413
big=$(head -c 40000 /dev/zero | tr '\0' a)
c=$(code -H "X-Big: $big" "http://127.0.0.1:$port/metrics")
[ "$c" != 200 ] && ok "40 kB header refused ($c)" || fail "40 kB header accepted"
expect_eq "still serving after all that" "$(code "http://127.0.0.1:$port/metrics")" 200
stop_exporter web

# One address's share: of 136 connections from 127.0.0.1 opened at once,
# 128 are served and the rest closed unanswered; another address
# (127.0.0.2) is still served while they are held, and an idle connection
# (127.0.0.3, nothing sent) is closed by the 10 s timeout.
sport=$(free_port tcp)
start_exporter share "$sport" --interval 200ms --no-state --no-reset
out=$(timeout 60 python3 - "$sport" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
get = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
def connect(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    return s
def answered(s, request):
    s.sendall(request)
    try:
        return s.recv(64).startswith(b"HTTP/1.1 200")
    except ConnectionResetError:
        return False
idle = connect("127.0.0.3")
t0 = time.monotonic()
held = [connect("127.0.0.1") for _ in range(136)]
served = sum(answered(s, get) for s in held)
other = connect("127.0.0.2")
other_ok = answered(other, get)
try:
    idle_closed = idle.recv(1) == b""
except ConnectionResetError:
    idle_closed = True
print(f"served={served} of 136, other_address={other_ok} "
      f"idle_closed={idle_closed} after {time.monotonic() - t0:.1f} s")
PY
)
echo "share: $out"
served=$(sed -n 's/.*served=\([0-9]*\).*/\1/p' <<<"$out")
# 128, or 129 when libmicrohttpd has not yet counted one being accepted
[ "${served:-0}" -ge 128 ] && [ "${served:-999}" -le 129 ] &&
	ok "one address gets its share and no more: $served of 136 served" ||
	fail "one address's share: ${out:-python failed}"
expect_match "another address is served while one holds its whole share" "$out" 'other_address=True'
expect_match "an idle connection is closed by the timeout" "$out" 'idle_closed=True'
expect_eq "still serving after the share test" "$(code "http://127.0.0.1:$sport/metrics")" 200
stop_exporter share

# Exposure: refused before anything starts (exit 2, one line).
certs=$tmpdir/certs
mkdir -m 0700 "$certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	-days 1 -keyout "$certs/key.pem" -out "$certs/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"
printf '# test user\nprom:%s\n' "$(openssl passwd -6 -salt 2fGh7qLm s3cret)" >"$certs/users"
chmod 0600 "$certs/users"
out=$("$AUDITPEAK" serve --listen 0.0.0.0:0 --no-state --no-reset 2>&1)
expect_eq "plain HTTP on 0.0.0.0: exit code" "$?" 2
expect_match "plain HTTP on 0.0.0.0: says how to allow it" "$out" 'reachable from other hosts.*--insecure-listen'
out=$("$AUDITPEAK" serve --listen 0.0.0.0:0 --insecure-listen --basic-auth-file "$certs/users" --no-state --no-reset 2>&1)
expect_eq "basic auth without TLS off loopback: exit code" "$?" 2
expect_match "basic auth without TLS off loopback: says why" "$out" 'password would cross the network in clear'
out=$("$AUDITPEAK" serve --tls-cert "$certs/cert.pem" --no-state --no-reset 2>&1)
expect_eq "--tls-cert without --tls-key: exit code" "$?" 2
printf 'prom:plaintext\n' >"$tmpdir/bad-users"
out=$("$AUDITPEAK" serve --listen 127.0.0.1:0 --basic-auth-file "$tmpdir/bad-users" --no-state --no-reset 2>&1)
expect_eq "a password in clear in the auth file: exit code" "$?" 2
expect_match "a password in clear: says what is expected" "$out" 'line 1: not a crypt\(3\) hash'
out=$("$AUDITPEAK" serve --listen 127.0.0.1:0 --tls-cert "$certs/cert.pem" --tls-key "$certs/users" --no-state --no-reset 2>&1)
expect_eq "a key that is not a key: exit code" "$?" 1
expect_match "a key that is not a key: says so" "$out" 'cannot serve HTTPS'
iport=$(free_port tcp)
"$AUDITPEAK" serve --listen "0.0.0.0:$iport" --insecure-listen --no-state --no-reset --log "$tmpdir/insecure.log" &
started_pids+=($!)
insecure_pid=$!
retry 600 0.1 http_ok "http://127.0.0.1:$iport/healthz" && ok "--insecure-listen: plain HTTP on 0.0.0.0 allowed" || fail "--insecure-listen did not start"
stop_exporter insecure

# TLS and basic auth (on loopback here; off it they are what makes it allowed).
tport=$(free_port tcp)
"$AUDITPEAK" serve --listen "127.0.0.1:$tport" --tls-cert "$certs/cert.pem" --tls-key "$certs/key.pem" \
	--basic-auth-file "$certs/users" --interval 200ms --no-state --no-reset --log "$tmpdir/tls.log" &
started_pids+=($!)
tls_pid=$!
https() { code --cacert "$certs/cert.pem" "$@"; }
tls_up() { [ "$(https -u prom:s3cret "https://localhost:$tport/healthz")" = 200 ]; }
retry 600 0.1 tls_up || { fail "TLS exporter did not come up"; cat "$tmpdir/tls.log"; exit 1; }
expect_eq "https, right password" "$(https -u prom:s3cret "https://localhost:$tport/metrics")" 200
expect_eq "https, wrong password" "$(https -u prom:wrong "https://localhost:$tport/metrics")" 401
expect_eq "https, unknown user" "$(https -u nobody:s3cret "https://localhost:$tport/metrics")" 401
expect_eq "https, no credentials" "$(https "https://localhost:$tport/metrics")" 401
expect_match "401 names the realm" "$(curl -s -D - -o /dev/null --cacert "$certs/cert.pem" "https://localhost:$tport/metrics")" 'WWW-Authenticate: Basic realm="auditpeak"'
expect_eq "https, no credentials, POST: 401 first" "$(https -X POST "https://localhost:$tport/metrics")" 401
c=$(code -u prom:s3cret "http://127.0.0.1:$tport/metrics")
[ "$c" != 200 ] && ok "plain HTTP to the TLS port fails ($c)" || fail "plain HTTP to the TLS port answered 200"
expect_match "https metrics are real" "$(curl -s -u prom:s3cret --cacert "$certs/cert.pem" "https://localhost:$tport/metrics")" 'auditpeak_up 1'
expect_match "the log says HTTPS with basic auth" "$(cat "$tmpdir/tls.log")" 'HTTPS with basic auth'
stop_exporter tls
