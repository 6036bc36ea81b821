#!/usr/bin/env bash
# Scrape benchmark of the real exporter: N http checks (10, 100, 1000)
# against a loopback target whose every answer takes 50 ms. For each size
# it prints the scrape wall time beside the slowest single check (their
# ratio should stay near 1: checks run side by side), the exporter's CPU
# time per scrape and its peak RSS. Loopback only; bounded in time (the
# target exits by itself, every curl has a timeout).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${BENCH_SIZES:-"10 100 1000"}
SCRAPES=${BENCH_SCRAPES:-5}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/golive_exporter" ./cmd/golive_exporter
go build -o "$work/slowtarget" ./scripts/bench.d/slowtarget

"$work/slowtarget" --delay 50ms --lifetime 10m >"$work/target.addr" 2>"$work/target.log" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/target.addr" ] && break; sleep 0.1; done
target=$(head -n1 "$work/target.addr")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
clk=$(getconf CLK_TCK)

printf '%-7s %-12s %-14s %-8s %-15s %-12s\n' checks scrape_ms slowest_check_ms ratio cpu_ms/scrape peak_rss_MiB
for n in $SIZES; do
  cfg="$work/cfg-$n.yml"
  {
    echo "global:"
    echo "  max_concurrency: $n"
    echo "checks:"
    for i in $(seq 1 "$n"); do
      printf '  - name: c%d\n    timeout: 5s\n    http: {url: "http://%s/health?c=%d"}\n' "$i" "$target" "$i"
    done
  } >"$cfg"
  port=$(free_port)
  "$work/golive_exporter" --config.file "$cfg" --web.listen-address "127.0.0.1:$port" --log.level=warn 2>"$work/exporter-$n.log" &
  pid=$!
  pids+=($pid)
  for _ in $(seq 1 100); do curl -fs -m 1 "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  # Warm-up: connections opened, code paths paged in.
  curl -fs -m 30 -o /dev/null "http://127.0.0.1:$port/metrics"
  read -r ut st < <(awk '{print $14, $15}' "/proc/$pid/stat")
  total=0
  slowest=0
  for _ in $(seq 1 "$SCRAPES"); do
    t=$(curl -fs -m 30 -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' -o "$work/metrics" -w '%{time_total}' "http://127.0.0.1:$port/metrics")
    total=$(awk -v a="$total" -v b="$t" 'BEGIN{print a+b}')
    s=$(awk '/^golive_check_duration_seconds\{/{ if ($2>m) m=$2 } END{print m+0}' "$work/metrics")
    slowest=$(awk -v a="$slowest" -v b="$s" 'BEGIN{print (b>a)?b:a}')
  done
  ok=$(grep -c '^golive_check_success{.*} 1$' "$work/metrics" || true)
  read -r ut2 st2 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  rss=$(awk '/^VmHWM:/{print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v n="$n" -v total="$total" -v k="$SCRAPES" -v slow="$slowest" -v cpu=$(( (ut2+st2) - (ut+st) )) -v clk="$clk" -v rss="$rss" -v ok="$ok" 'BEGIN{
    ms = total / k * 1000
    printf "%-7d %-12.1f %-14.1f %-8.2f %-15.1f %-12.1f", n, ms, slow*1000, (slow>0 ? ms/(slow*1000) : 0), cpu/clk*1000/k, rss/1024
    if (ok != n) printf "  (%d of %d checks passed)", ok, n
    printf "\n"
  }'
done
