#!/usr/bin/env bash
# The main job: the relay plus the kiosk in demo mode (embedded test camera source, demo data).
# Installs what is missing, builds, starts both, and prints the URLs. Without a display it runs
# the kiosk under Xvfb (portrait 1080x1920) and saves a screenshot.
#   scripts/demo.sh           run until Ctrl-C
#   scripts/demo.sh --once    take the screenshot and stop (for CI smoke runs and README pictures)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
once=false
[[ "${1:-}" == "--once" ]] && once=true
source scripts/bootstrap.sh

step "build (release)"
(cd ui && npm run build)
cargo build --release --locked --bins -p atelier -p atelier-relay

demo="$root/.demo"
mkdir -p "$demo/kiosk" "$demo/relay"
port="${ATELIER_RELAY_PORT:-8787}"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is taken; set ATELIER_RELAY_PORT to another port" >&2
  exit 1
fi
cat > "$demo/kiosk/atelier.toml" <<TOML
# Written by scripts/demo.sh
[kiosk]
device_id = "demo-kiosk"
store_id = "demo-sh"
room = "Room 1"

[display]
orientation = "portrait"

[ui]
language = "zh-CN"

[relay]
url = "ws://127.0.0.1:$port/ws"

[admin]
pin = "2468"
TOML

step "load the demo catalog (400 products, images made display-ready once)"
./target/release/atelier --data-dir "$demo/kiosk" catalog import assets/demo-catalog/catalog.csv

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

step "publish the demo catalog to the relay's catalog hub (stylists search it; the kiosk syncs from it)"
./target/release/atelier-relay --data-dir "$demo/relay" catalog publish assets/demo-catalog/catalog.csv

# TURN for calls that cannot go direct: coturn with a fresh REST shared secret; the relay hands out
# time-limited credentials for it (docs/CALLS.md). Without turnserver, calls use direct paths only.
turn_port="${ATELIER_TURN_PORT:-3480}"   # not 3478: a system coturn may hold it
if command -v turnserver > /dev/null; then
  step "start coturn (TURN) on 127.0.0.1:$turn_port"
  turn_secret="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port="$turn_port" \
    --use-auth-secret --static-auth-secret="$turn_secret" --realm=atelier.demo --fingerprint \
    --no-tls --no-dtls --no-cli --allow-loopback-peers --log-file=stdout --simple-log > "$demo/coturn.log" 2>&1 &
  pids+=($!)
  cat > "$demo/relay/relay.toml" <<TOML
# Written by scripts/demo.sh
[turn]
urls = ["stun:127.0.0.1:$turn_port", "turn:127.0.0.1:$turn_port?transport=udp"]
secret = "$turn_secret"
TOML
fi

step "start the relay"
./target/release/atelier-relay --demo --listen "127.0.0.1:$port" --data-dir "$demo/relay" --web-dir "$root/ui/dist/web" > "$demo/relay.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

headless=false
if [[ -z "${DISPLAY:-}" ]]; then
  headless=true
  for n in $(seq 90 140); do [[ -e /tmp/.X$n-lock ]] || { display=":$n"; break; }; done
  Xvfb "$display" -screen 0 1080x1920x24 -nolisten tcp > "$demo/xvfb.log" 2>&1 &
  pids+=($!)
  export DISPLAY="$display"
  for _ in $(seq 1 50); do [[ -e /tmp/.X11-unix/X${display#:} ]] && break; sleep 0.1; done
  echo "no display: running the kiosk on Xvfb $DISPLAY (1080x1920 portrait)"
fi

step "start the kiosk (demo mode)"
./target/release/atelier --data-dir "$demo/kiosk" --demo --report-ready > "$demo/kiosk.out" 2> "$demo/kiosk.log" &
pids+=($!)
for _ in $(seq 1 300); do grep -q uiReady "$demo/kiosk.out" 2>/dev/null && break; sleep 0.1; done
if ! grep -q uiReady "$demo/kiosk.out"; then
  echo "the kiosk did not become interactive; see $demo/kiosk.log" >&2
  tail -20 "$demo/kiosk.log" >&2
  exit 1
fi
sleep 3.5   # the relay link comes up, and the demo clip shows its first tag (a card slides in)

echo
echo "Atelier demo is running"
echo "  kiosk:        interactive $(sed -n 's/.*"sinceStartMs":\([0-9]*\).*/\1/p' "$demo/kiosk.out") ms after start; data in $demo/kiosk"
echo "  relay:        http://127.0.0.1:$port/"
echo "  health:       http://127.0.0.1:$port/healthz"
echo "  kiosks:       http://127.0.0.1:$port/api/kiosks"
echo "  kiosk socket: ws://127.0.0.1:$port/ws"
echo "  friend page:  http://127.0.0.1:$port/join (the mirror's QR code adds #<token>; or type the 6-character code)"
echo "  stylists:     http://127.0.0.1:$port/stylist (demo-stylist / demo; store staff: demo-staff / demo)"
echo "  store staff:  http://127.0.0.1:$port/staff (demo-staff / demo: size and colour requests)"
echo "  analytics:    http://127.0.0.1:$port/admin/report (token demo-admin)"
echo "  staff PIN:    2468 (hold the bottom-left corner for 1.5 s)"
command -v turnserver > /dev/null && echo "  TURN:         turn:127.0.0.1:$turn_port (coturn, REST shared secret in $demo/relay/relay.toml)"
echo "  logs:         $demo/kiosk.log, $demo/relay.log"
if $headless; then
  import -window root "$demo/screenshot.png"
  echo "  screenshot:   $demo/screenshot.png"
fi
if $once; then
  exit 0
fi
echo
echo "Press Ctrl-C to stop."
wait
