#!/usr/bin/env bash
# Remove Firmwarden from the appliance.
#
#   sudo appliance/uninstall.sh [--purge]
#
# Removes the service and /opt/firmwarden. Keeps the configuration (/etc/firmwarden), the data
# (/var/lib/firmwarden: images, reports, databases) and the firmwarden user, so that a later install
# picks up where this one stopped. --purge removes those too.
set -euo pipefail

readonly APP_DIR=/opt/firmwarden
readonly CONF_DIR=/etc/firmwarden
readonly DATA_DIR=/var/lib/firmwarden
readonly UNIT_DIR=/etc/systemd/system
readonly UNIT=firmwarden.service
readonly SERVICE_USER=firmwarden

say() { printf 'firmwarden-uninstall: %s\n' "$*"; }
die() {
  printf 'firmwarden-uninstall: error: %s\n' "$*" >&2
  exit 1
}

purge=no
while [[ $# -gt 0 ]]; do
  case "$1" in
    --purge)
      purge=yes
      shift
      ;;
    -h | --help)
      sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done

[[ ${EUID} -eq 0 ]] || die "run as root (sudo $0)"

# sd_booted(3): systemd is PID 1 exactly when /run/systemd/system exists.
booted=no
if [[ -d /run/systemd/system ]]; then booted=yes; fi

if [[ ${booted} == yes ]]; then
  # disable --now stops it too; a unit that was never installed is not an error.
  systemctl disable --now "${UNIT}" 2>/dev/null || true
else
  say "systemd is not PID 1 here: nothing to stop"
fi
rm -f -- "${UNIT_DIR}/${UNIT}"
rm -rf -- "${UNIT_DIR}/${UNIT}.d"
if [[ ${booted} == yes ]]; then
  systemctl daemon-reload
  systemctl reset-failed "${UNIT}" 2>/dev/null || true
fi
rm -rf -- "${APP_DIR}"
say "removed the service and ${APP_DIR}"

if [[ ${purge} == no ]]; then
  say "kept ${CONF_DIR}, ${DATA_DIR} and the user ${SERVICE_USER} (--purge removes them)"
  exit 0
fi

rm -rf -- "${CONF_DIR}" "${DATA_DIR}"
if getent passwd "${SERVICE_USER}" >/dev/null; then
  userdel "${SERVICE_USER}"
fi
# userdel removes the user's private group already on Debian; a group left on its own goes here.
if getent group "${SERVICE_USER}" >/dev/null; then
  groupdel "${SERVICE_USER}"
fi
say "purged ${CONF_DIR}, ${DATA_DIR} and the user ${SERVICE_USER}"
