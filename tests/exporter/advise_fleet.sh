#!/usr/bin/env bash
# auditpeak advise --prometheus against a real Prometheus server holding a
# synthetic fleet: 200 hosts over 7 days (fleet_gen.py: steady, bursty,
# one losing records, one on the sample source, one with a wrongly huge
# limit, one started inside the range), imported with promtool.  The known
# peaks must come back exactly and every host's advice must equal
# single-host `advise --state` on the same window peaks.  Then every bad
# input: a wrong URL, a 401, a selector that matches nothing, a PromQL
# syntax error, a server that hangs, one that answers forever, one that
# answers a web page, one that fails (500).
. "$(dirname "$0")/exporter_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
require prometheus promtool curl openssl /usr/bin/python3

# The fleet: 5-minute windows scraped every 5 minutes, ending now.
end=$(( $(date +%s) / 300 * 300 ))
/usr/bin/python3 "$here/fleet_gen.py" --hosts 200 --days 7 --step 300 --end "$end" "$tmpdir/fleet" ||
	{ fail "fleet_gen.py failed"; exit 1; }
mkdir "$tmpdir/tsdb"
for f in "$tmpdir"/fleet/block-*.om; do
	promtool tsdb create-blocks-from openmetrics -q "$f" "$tmpdir/tsdb" >/dev/null ||
		{ fail "promtool could not import $f"; exit 1; }
done
ok "promtool imported $(ls "$tmpdir"/fleet/block-*.om | wc -l) blocks"
at=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["at"])' "$tmpdir/fleet/truth.json")

# Prometheus over TLS (a certificate of its own, checked with --ca-file)
# and behind basic auth (bcrypt, as its web config wants).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	-days 1 -keyout "$tmpdir/key.pem" -out "$tmpdir/cert.pem" 2>/dev/null ||
	{ fail "openssl could not make a certificate"; exit 1; }
hash=$(/usr/bin/python3 -c 'import crypt; print(crypt.crypt("s3cret pass", crypt.mksalt(crypt.METHOD_BLOWFISH)))' 2>/dev/null)
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  fleetadmin: %s\n' \
	"$tmpdir/cert.pem" "$tmpdir/key.pem" "$hash" >"$tmpdir/web.yml"
printf 'fleetadmin:s3cret pass\n' >"$tmpdir/auth"
printf 'fleetadmin:wrong\n' >"$tmpdir/badauth"
printf 'global: {scrape_interval: 1h}\n' >"$tmpdir/prometheus.yml"
pp=$(free_port tcp)
prometheus --config.file="$tmpdir/prometheus.yml" --storage.tsdb.path="$tmpdir/tsdb" \
	--storage.tsdb.retention.time=30d --web.config.file="$tmpdir/web.yml" \
	--web.listen-address="127.0.0.1:$pp" >"$tmpdir/prometheus.log" 2>&1 9>&- &
started_pids+=($!)
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmpdir/cert.pem" -u 'fleetadmin:s3cret pass' "https://127.0.0.1:$pp/-/ready")" = 200 ]; }
retry 1200 0.1 ready || { fail "prometheus did not become ready"; tail "$tmpdir/prometheus.log"; exit 1; }
ok "prometheus is up with the fleet's blocks"

url=https://127.0.0.1:$pp
fleet() { "$AUDITPEAK" advise --prometheus "$url" --ca-file "$tmpdir/cert.pem" --basic-auth-file "$tmpdir/auth" --at "$at" "$@"; }
fleet --format json >"$tmpdir/fleet.json" 2>"$tmpdir/fleet.err"
expect_eq "advise --prometheus --format json exits 0" "$?" 0
fleet --format csv >"$tmpdir/fleet.csv" 2>"$tmpdir/csv.err"
expect_eq "advise --prometheus --format csv exits 0" "$?" 0
expect_match "csv: the fleet line on stderr" "$(cat "$tmpdir/csv.err")" '^fleet: 200 hosts; raise [0-9]+'
fleet >"$tmpdir/fleet.txt" 2>&1
expect_eq "advise --prometheus (table) exits 0" "$?" 0
run_checker check_fleet "$here/check_fleet.py" "$AUDITPEAK" "$tmpdir/fleet/truth.json" \
	"$tmpdir/fleet.json" "$tmpdir/fleet.csv" "$tmpdir/fleet.txt" "$tmpdir"

# expect_error WHAT CODE REGEX CMD...: exits CODE with one line matching REGEX.
expect_error() {
	local what=$1 code=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	expect_eq "$what: exit code" "$rc" "$code"
	expect_match "$what: one clear line" "$out" "$re"
	expect_eq "$what: message lines" "$(grep -c . <<<"$out")" 1
}

expect_error "wrong URL" 1 '^auditpeak: cannot reach Prometheus at http://127.0.0.1:[0-9]+/api/v1/query' \
	"$AUDITPEAK" advise --prometheus "http://127.0.0.1:$(free_port tcp)"
expect_error "no credentials" 3 'Prometheus answered HTTP 401: not authorised' \
	"$AUDITPEAK" advise --prometheus "$url" --ca-file "$tmpdir/cert.pem"
expect_error "wrong password" 3 'HTTP 401' \
	"$AUDITPEAK" advise --prometheus "$url" --ca-file "$tmpdir/cert.pem" --basic-auth-file "$tmpdir/badauth"
expect_error "a certificate no --ca-file vouches for" 8 'query to Prometheus at https://.* failed: .*certificate' \
	"$AUDITPEAK" advise --prometheus "$url" --basic-auth-file "$tmpdir/auth"
expect_error "selector matching nothing" 6 'no auditpeak serve matched \{job="nope"\}' \
	fleet --selector '{job="nope"}'
expect_error "PromQL syntax error" 2 'Prometheus refused the query .*HTTP 400.*bad_data: .*parse error' \
	fleet --selector '{job=}'
expect_error "not a selector" 2 "is not a series selector" fleet --selector 'job="auditpeak"'
expect_error "not an http URL" 2 'must be an http:// or https:// URL' \
	"$AUDITPEAK" advise --prometheus "ftp://127.0.0.1/"
expect_error "bad --range" 2 '--range must be' fleet --range 7x
expect_error "bad --format" 2 '--format must be table, json or csv' fleet --format xml
expect_error "--prometheus with --duration" 2 'do not apply' fleet --duration 5s
expect_error "missing auth file" 2 'cannot open' \
	"$AUDITPEAK" advise --prometheus "$url" --basic-auth-file "$tmpdir/none"

# Broken servers.  start_bad MODE: its port in $bad_port.
start_bad() {
	coproc BAD { exec /usr/bin/python3 "$here/bad_prometheus.py" "$@" 9>&-; }
	started_pids+=($BAD_PID)
	read -r _ bad_port <&"${BAD[0]}"
	[ -n "$bad_port" ] || { fail "bad_prometheus.py $1 did not start"; exit 1; }
}
printf 'fleet-token-1\n' >"$tmpdir/token"
printf 'not-the-token\n' >"$tmpdir/badtoken"
start_bad bearer fleet-token-1
expect_error "the right bearer token gets through" 6 'no auditpeak serve matched' \
	"$AUDITPEAK" advise --prometheus "http://127.0.0.1:$bad_port" --bearer-token-file "$tmpdir/token"
expect_error "a wrong bearer token" 3 'HTTP 401' \
	"$AUDITPEAK" advise --prometheus "http://127.0.0.1:$bad_port" --bearer-token-file "$tmpdir/badtoken"
stop_started
start_bad hang
expect_error "server that hangs" 7 "did not answer within 1000 ms" \
	"$AUDITPEAK" advise --prometheus "http://127.0.0.1:$bad_port" --http-timeout 1s
stop_started
start_bad huge
expect_error "answer that never ends" 8 'larger than 67108864 bytes: refused' \
	"$AUDITPEAK" advise --prometheus "http://127.0.0.1:$bad_port"
stop_started
start_bad html
expect_error "a web page" 8 'not a Prometheus API answer' \
	"$AUDITPEAK" advise --prometheus "http://127.0.0.1:$bad_port"
stop_started
start_bad status
expect_error "server error" 12 'Prometheus answered HTTP 500' \
	"$AUDITPEAK" advise --prometheus "http://127.0.0.1:$bad_port"
