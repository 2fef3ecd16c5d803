#!/usr/bin/env bash
# Fetch the validators our export tests run: the Nu HTML Checker (npm) and the OASIS XLIFF
# schemas (from Debian's php-symfony-translation package; no PHP needed), and axe-core (npm),
# which the browser tests inject into each page (tests/browser/site.py). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${TMS_TOOLS_DIR:-$PWD/.tools}
mkdir -p "$tools/xsd"

if [ ! -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  (cd "$tools" && npm install --silent --no-audit --no-fund vnu-jar >/dev/null)
fi

if [ ! -f "$tools/node_modules/axe-core/axe.min.js" ]; then
  (cd "$tools" && npm install --silent --no-audit --no-fund axe-core >/dev/null)
fi

if [ ! -f "$tools/xsd/xliff-core-1.2-strict.xsd" ] || [ ! -f "$tools/xsd/xliff-core-2.0.xsd" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download php-symfony-translation >/dev/null 2>&1 \
     && dpkg-deb -x php-symfony-translation_*.deb x)
  for f in xliff-core-1.2-strict.xsd xliff-core-1.2-transitional.xsd xliff-core-2.0.xsd xml.xsd; do
    found=$(find "$tmp/x" -name "$f" | head -n 1)
    [ -n "$found" ] && cp "$found" "$tools/xsd/$f"
  done
  # Point the schemas at the local xml.xsd: the checks run offline.
  sed -i -e 's#http://www.w3.org/2001/xml.xsd#xml.xsd#g' \
    -e 's#informativeCopiesOf3rdPartySchemas/w3c/xml.xsd#xml.xsd#g' "$tools"/xsd/*.xsd
  rm -rf "$tmp"
fi
ls "$tools/xsd"
