#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this): Debian packages, npm packages, type check,
# then every test group (the core suite and the corpus group, which finds ../shared/corpus through
# FIRMWARDEN_CORPUS).
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/install-deps.sh
npm ci --no-audit --no-fund
npx tsc -p tsconfig.json --noEmit
npm run build
export FIRMWARDEN_CORPUS="${FIRMWARDEN_CORPUS:-$(cd .. && pwd)/shared/corpus}"
npx vitest run
