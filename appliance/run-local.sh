#!/usr/bin/env bash
# Install from this checkout and run the daemon on the embedded defaults: data in ./var, console on
# http://127.0.0.1:8765/, images dropped into ./var/inbox are analyzed. For a laptop or a first look;
# appliance/install.sh is the system install (systemd unit, dedicated user, /etc/firmwarden).
set -euo pipefail
cd "$(dirname "$0")/.."

need_major=20 need_minor=19
if ! command -v node >/dev/null 2>&1; then
  echo "Node.js >= ${need_major}.${need_minor} is required (Debian 12 ships 18: use the NodeSource or nodejs.org packages)." >&2
  exit 1
fi
IFS=. read -r major minor _ <<<"$(node -p 'process.versions.node')"
if [ "$major" -lt "$need_major" ] || { [ "$major" -eq "$need_major" ] && [ "$minor" -lt "$need_minor" ]; }; then
  echo "Node.js >= ${need_major}.${need_minor} is required, found $(node --version)." >&2
  exit 1
fi

# better-sqlite3 is built from source when no prebuilt binary can be fetched (an offline box): it needs a compiler.
missing=()
for p in build-essential python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build
exec node bin/firmwarden.js serve "$@"
