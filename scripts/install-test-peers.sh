#!/usr/bin/env bash
# Installs the real peers the tests talk to, from Debian's packages: Kamailio (SIP server),
# kamailio-tls-modules (SIP over TLS tests), baresip (SIP phone), sipp (SIP scenarios),
# Chromium + chromedriver (browser), sox (audio), redis-server (the Redis that [cluster] tests
# share; each test starts its own on a free port), Firefox ESR (driven over WebDriver BiDi, no
# geckodriver) and iproute2 (the network namespace Firefox runs in, since it gathers no loopback
# ICE candidate), linphone-cli (a second SIP phone).
# Needs root (or sudo). Safe to run again: it installs only what is missing.
set -euo pipefail
packages=(kamailio kamailio-tls-modules baresip sip-tester chromium chromium-driver sox redis-server firefox-esr iproute2 linphone-cli)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test peers: all installed (${packages[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "test peers: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
# The Debian kamailio package may start a system instance on 5060; tests run their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet kamailio 2>/dev/null; then
  $SUDO systemctl stop kamailio || true
fi
# Likewise redis-server's system instance on 6379: tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  $SUDO systemctl stop redis-server || true
fi
echo "test peers: done"
