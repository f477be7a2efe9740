#!/usr/bin/env bash
# Debian packages the tests need (services and native libraries), installed only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t wanted < <(grep -hv '^\s*#' .ci/apt-packages/*.txt 2>/dev/null | awk 'NF{print $1}' | sort -u)
[ ${#wanted[@]} -eq 0 ] && exit 0
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-deps: missing Debian packages ${missing[*]} (need root and apt-get); service tests will skip" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks questions at install time; answer them for a loopback-only test setup.
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string mailwarden.test" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packages start system-wide daemons; the tests run their own private, loopback-only instances.
for svc in postfix dovecot; do
  if [[ " ${missing[*]} " == *" $svc"* ]]; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
