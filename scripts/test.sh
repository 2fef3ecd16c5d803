#!/usr/bin/env bash
# Install what the tests need (system packages when run as root, the Python environment,
# the real export clients), then run the suite with pytest. Extra arguments go to pytest.
#   bash scripts/test.sh                      # SQLite (a temporary file)
#   TMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test bash scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# omegat: the CAT tool the offline tests run; translate-toolkit (xliff2po, po2xliff) comes
# with pip, as a dependency of tms.
# fontconfig and the fonts: the print check's font coverage (docs/deploy.md, "Printing").
packages="chromium libreoffice-writer-nogui poppler-utils libxml2-utils gettext fonts-dejavu-core
  fontconfig fonts-dejavu-extra fonts-noto-core fonts-liberation2 fonts-crosextra-carlito
  fonts-crosextra-caladea postgresql-client default-jre-headless omegat"
if [ "$(id -u)" = 0 ] && [ -z "${TMS_SKIP_APT:-}" ]; then
  missing=$(for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    echo "== installing system packages: $(echo $missing)"
    apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null \
      || { echo "apt-get install failed"; exit 1; }
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv || exit 1
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1
.venv/bin/python -m pip install -q -e '.[test,postgres,server]' >/dev/null || { echo "pip install failed"; exit 1; }
bash scripts/fetch_clients.sh >/dev/null || { echo "fetching the export clients failed"; exit 1; }

.venv/bin/python -m pytest -p no:cacheprovider "$@"
rc=$?
# pytest's 5 means no test ran: never a success here.
[ $rc -eq 5 ] && { echo "no tests were collected"; exit 1; }
exit $rc
