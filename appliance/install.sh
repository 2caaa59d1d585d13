#!/usr/bin/env bash
# Install or upgrade Firmwarden on a Debian 12 appliance (amd64 or arm64).
#
#   sudo appliance/install.sh [--source DIR] [--no-start]
#
# Run as root from a built checkout (npm ci && npm run build). Safe to run again: the app is staged next
# to /opt/firmwarden and swapped in only after `npm ci` succeeded, /etc/firmwarden/config.yaml is never
# overwritten, and the data directory is never touched.
#
# Nothing is downloaded except Debian packages (apt) and npm packages (npm ci). Native modules
# (better-sqlite3) are compiled from source against the local Node headers, because their prebuilt
# binaries and node-gyp's header tarballs come from GitHub and nodejs.org.
set -euo pipefail

readonly APP_DIR=/opt/firmwarden
readonly CONF_DIR=/etc/firmwarden
readonly DATA_DIR=/var/lib/firmwarden
readonly UNIT_DIR=/etc/systemd/system
readonly UNIT=firmwarden.service
readonly SERVICE_USER=firmwarden
readonly MIN_NODE=20.19

say() { printf 'firmwarden-install: %s\n' "$*"; }
die() {
  printf 'firmwarden-install: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
}

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start=yes
while [[ $# -gt 0 ]]; do
  case "$1" in
    --source)
      [[ $# -ge 2 ]] || die "--source needs a directory"
      source_dir="$(cd "$2" && pwd)"
      shift 2
      ;;
    --no-start)
      start=no
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done

[[ ${EUID} -eq 0 ]] || die "run as root (sudo $0)"

# --- The checkout -------------------------------------------------------------------------------------
for required in package.json package-lock.json bin/firmwarden.js config/default.yaml systemd/"${UNIT}"; do
  [[ -f "${source_dir}/${required}" ]] || die "${source_dir}/${required} is missing: run from a Firmwarden checkout"
done
[[ -d "${source_dir}/dist" ]] || die "${source_dir}/dist is missing: build first (npm ci && npm run build)"

# --- Node.js >= 20.19 ---------------------------------------------------------------------------------
node_version() { node -p 'process.versions.node' 2>/dev/null || true; }
node_ok() {
  local v
  v="$(node_version)"
  [[ -n ${v} ]] && dpkg --compare-versions "${v}" ge "${MIN_NODE}"
}

# shellcheck disable=SC2310 # node_ok is a test; set -e does not apply to it on purpose
if ! node_ok; then
  # Debian 12 itself ships Node 18, but a configured repository (NodeSource, a local mirror, Debian 13)
  # may offer a new enough nodejs: install it from there, never from anywhere else.
  DEBIAN_FRONTEND=noninteractive apt-get update || say "warning: apt-get update failed; using the package lists as they are"
  candidate="$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ { print $2 }')"
  if [[ -n ${candidate} && ${candidate} != "(none)" ]] && dpkg --compare-versions "${candidate}" ge "${MIN_NODE}"; then
    say "installing nodejs ${candidate} with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs
  fi
fi
# shellcheck disable=SC2310
if ! node_ok; then
  found="$(node_version)"
  die "Firmwarden needs Node.js >= ${MIN_NODE}; found ${found:-no node}. Debian 12 ships Node 18.
  Get Node 20.19 or later from a Debian repository, then run this script again:
    - NodeSource's Debian repository (node_20.x, node_22.x or node_24.x; its nodejs package includes npm), or
    - your organisation's mirror of it, or
    - Debian 13 (trixie), whose own nodejs is 20.19.
  This script does not download Node itself."
fi
node_bin="$(command -v node)"
node_real="$(readlink -f "${node_bin}")"
# The binary itself, behind any symlink or wrapper script on PATH.
node_exec="$(node -p 'process.execPath')"
for path in "${node_real}" "${node_exec}"; do
  case "${path}" in
    /root/* | /home/* | /run/user/*)
      # ProtectHome=yes in the unit hides these from the daemon.
      die "node resolves to ${path}, inside a home directory the service cannot see; install Node system-wide"
      ;;
    *) ;;
  esac
done
command -v npm >/dev/null || die "npm is missing: install the npm that belongs to your Node (NodeSource's nodejs package includes it)"
node_found="$(node_version)"
say "using node ${node_found} at ${node_bin}"

# Compiling native modules: a C++ toolchain, python3 for node-gyp, and the headers of this very Node.
node_prefix="$(dirname "$(dirname "${node_exec}")")"
[[ -f "${node_prefix}/include/node/node.h" ]] ||
  die "no Node headers in ${node_prefix}/include/node (NodeSource's nodejs includes them; for Debian's nodejs install libnode-dev)"
missing_tools=()
for tool in make g++ python3; do
  command -v "${tool}" >/dev/null || missing_tools+=("${tool}")
done
if [[ ${#missing_tools[@]} -gt 0 ]]; then
  say "installing build tools (missing: ${missing_tools[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get install -y build-essential python3
fi

# --- Service account ----------------------------------------------------------------------------------
if ! getent group "${SERVICE_USER}" >/dev/null; then
  groupadd --system "${SERVICE_USER}"
  say "created group ${SERVICE_USER}"
fi
if ! getent passwd "${SERVICE_USER}" >/dev/null; then
  useradd --system --gid "${SERVICE_USER}" --home-dir "${DATA_DIR}" --no-create-home \
    --shell /usr/sbin/nologin --comment "Firmwarden daemon" "${SERVICE_USER}"
  say "created user ${SERVICE_USER}"
fi

# --- Application: stage, npm ci, swap -----------------------------------------------------------------
install -d -m 0755 "$(dirname "${APP_DIR}")"
staging="$(mktemp -d "$(dirname "${APP_DIR}")/.firmwarden.new.XXXXXX")"
previous=""
cleanup() {
  if [[ -n ${staging} && -d ${staging} ]]; then rm -rf -- "${staging}"; fi
  if [[ -n ${previous} && -d ${previous} ]]; then rm -rf -- "${previous}"; fi
}
trap cleanup EXIT

for dir in bin dist config web service/schemas; do
  if [[ -d "${source_dir}/${dir}" ]]; then
    mkdir -p "${staging}/$(dirname "${dir}")"
    cp -R --no-preserve=ownership "${source_dir}/${dir}" "${staging}/${dir}"
  elif [[ ${dir} == web || ${dir} == service/schemas ]]; then
    say "warning: ${source_dir}/${dir} does not exist; the installed daemon will lack it"
  else
    die "${source_dir}/${dir} is missing"
  fi
done
cp --no-preserve=ownership "${source_dir}/package.json" "${source_dir}/package-lock.json" "${staging}/"

say "npm ci --omit=dev in ${staging}"
(
  cd "${staging}"
  # build_from_source: skip prebuild-install's GitHub download; nodedir: headers from the local Node,
  # not a nodejs.org tarball. The daemon user never needs npm, so this runs as root with a private cache.
  npm_config_build_from_source=true npm_config_nodedir="${node_prefix}" \
    npm ci --omit=dev --no-audit --no-fund --no-update-notifier
  # The one native module must load with this Node before it replaces a working install.
  if [[ -d node_modules/better-sqlite3 ]]; then
    node -e 'const D = require("better-sqlite3"); new D(":memory:").prepare("select 1").get();' ||
      die "better-sqlite3 was built but does not load with node ${node_found}"
  fi
)

# The code belongs to root and is read-only for the daemon: a compromised daemon cannot persist in it.
chown -R root:root "${staging}"
chmod -R u+rwX,go+rX,go-w "${staging}"
chmod 0755 "${staging}"

if [[ -e ${APP_DIR} ]]; then
  previous="$(dirname "${APP_DIR}")/.firmwarden.old.$$"
  mv -- "${APP_DIR}" "${previous}"
fi
mv -- "${staging}" "${APP_DIR}"
staging=""
say "installed the application in ${APP_DIR}"

# --- Configuration and data -----------------------------------------------------------------------------
install -d -m 0750 -o root -g "${SERVICE_USER}" "${CONF_DIR}"
if [[ -e "${CONF_DIR}/config.yaml" ]]; then
  say "kept ${CONF_DIR}/config.yaml (defaults for comparison: ${APP_DIR}/config/default.yaml)"
else
  # Group-readable only: the file may hold SNMP communities and SFTP credentials.
  install -m 0640 -o root -g "${SERVICE_USER}" "${source_dir}/config/default.yaml" "${CONF_DIR}/config.yaml"
  say "wrote ${CONF_DIR}/config.yaml from the defaults"
fi
# systemd's StateDirectory= creates it too; creating it here lets `firmwarden doctor` run before the
# first start and on boxes without systemd. An existing directory is left as it is.
if [[ ! -d ${DATA_DIR} ]]; then
  install -d -m 0750 -o "${SERVICE_USER}" -g "${SERVICE_USER}" "${DATA_DIR}"
fi

# --- systemd unit ---------------------------------------------------------------------------------------
install -d -m 0755 "${UNIT_DIR}"
install -m 0644 "${source_dir}/systemd/${UNIT}" "${UNIT_DIR}/${UNIT}"
dropin_dir="${UNIT_DIR}/${UNIT}.d"
dropin="${dropin_dir}/10-node-path.conf"
if [[ ${node_real} == "$(readlink -f /usr/bin/node 2>/dev/null || true)" ]]; then
  rm -f -- "${dropin}"
  rmdir --ignore-fail-on-non-empty "${dropin_dir}" 2>/dev/null || true
else
  # The unit says /usr/bin/node; point it at the Node we checked instead.
  install -d -m 0755 "${dropin_dir}"
  exec_start="$(sed -n 's/^ExecStart=\/usr\/bin\/node //p' "${source_dir}/systemd/${UNIT}")"
  [[ -n ${exec_start} ]] || die "cannot find the ExecStart line in systemd/${UNIT}"
  printf '# Written by appliance/install.sh: node is not /usr/bin/node on this box.\n[Service]\nExecStart=\nExecStart=%s %s\n' \
    "${node_bin}" "${exec_start}" >"${dropin}.tmp"
  mv -- "${dropin}.tmp" "${dropin}"
  say "node is ${node_bin}: wrote ${dropin}"
fi

# sd_booted(3): systemd is PID 1 exactly when /run/systemd/system exists.
if [[ ! -d /run/systemd/system ]]; then
  say "systemd is not PID 1 here: skipped daemon-reload, enable and start."
  say "on the appliance: systemctl daemon-reload && systemctl enable --now ${UNIT}"
  exit 0
fi
systemctl daemon-reload
systemctl enable "${UNIT}"
if [[ ${start} == no ]]; then
  say "enabled ${UNIT}; not started (--no-start)"
  exit 0
fi
# restart also starts a stopped unit, and an upgrade must replace the running code. With Type=notify this
# returns once the daemon sent READY=1, or fails.
if systemctl restart "${UNIT}"; then
  status_text="$(systemctl show -p StatusText --value "${UNIT}" || true)"
  say "${UNIT} is running: ${status_text}"
else
  journalctl -u "${UNIT}" -n 40 --no-pager >&2 || true
  die "${UNIT} did not start; see the log above and run: ${APP_DIR}/bin/firmwarden.js doctor"
fi
