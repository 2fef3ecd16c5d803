#!/usr/bin/env bash
# Build the sdist and the wheel, check them with twine, install the wheel into a clean venv
# outside the checkout and use it as a new user would: `tms init`, `tms demo` (both samples
# imported, /login and /healthz answered), `tms export` of one sample; first the light
# install (built-in server), then with the `server` extra (gunicorn through `tms serve`).
#   bash scripts/wheel_check.sh            # exit 0 when every step passed
# TMS_WHEEL_KEEP=1 keeps the scratch folder (its path is printed) for a look afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
start=$(date +%s)
python=${PYTHON:-python3}
work=$(mktemp -d /tmp/tms-wheel.XXXXXX)
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ -n "${TMS_WHEEL_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $* ($(( $(date +%s) - start )) s)"; }

# Nothing of the checkout may leak into the installed tms.
unset PYTHONPATH TMS_DATABASE_URL TMS_INSTANCE_DIR TMS_EXPORTS_DIR TMS_SECRET_KEY VIRTUAL_ENV

step "build tools"
"$python" -m venv "$work/tools" || fail "could not create a venv"
"$work/tools/bin/pip" install -q build twine 2>&1 | grep -v "^WARNING: Location" \
  ; [ "${PIPESTATUS[0]}" = 0 ] || fail "pip could not install build and twine"

step "python -m build (the sdist, then the wheel from the sdist)"
"$work/tools/bin/python" -m build --outdir "$work/dist" "$checkout" >"$work/build.log" 2>&1 \
  || { tail -20 "$work/build.log"; fail "python -m build failed"; }
sdist=$(ls "$work"/dist/tms-*.tar.gz) && wheel=$(ls "$work"/dist/tms-*.whl) \
  || fail "the build made no sdist or no wheel"
echo "$(basename "$sdist") $(basename "$wheel")"

step "twine check"
"$work/tools/bin/twine" check --strict "$sdist" "$wheel" || fail "twine check failed"

step "what the wheel carries"
"$work/tools/bin/python" - "$wheel" <<'EOF' || fail "the wheel lacks files the app needs"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = ["tms/data/samples/sample-declaration.docx", "tms/data/samples/sample-manifesto.docx",
          "tms/data/common-passwords.txt", "tms/templates/base.html", "tms/static/app.css",
          "tms/translations/fr/LC_MESSAGES/messages.mo", "tms/migrations/env.py",
          "tms/migrations/versions/0001_initial.py"]
missing = [n for n in needed if n not in names]
if not any(n.endswith("dist-info/licenses/LICENSE") for n in names):
    missing.append("LICENSE")
if missing:
    print("missing:", *missing)
    sys.exit(1)
print(f"{len(names)} files, including the samples, templates, static files, catalogues, "
      "migrations, data and LICENSE")
EOF

step "install the wheel (no extras) into a clean venv"
"$python" -m venv "$work/venv" || fail "could not create a venv"
"$work/venv/bin/pip" install -q "$wheel" 2>&1 | grep -v "^WARNING: Location" \
  ; [ "${PIPESTATUS[0]}" = 0 ] || fail "pip could not install the wheel"
tms=$work/venv/bin/tms
mkdir -p "$work/run" && cd "$work/run" || fail "no scratch folder"
where=$("$work/venv/bin/python" -c "import tms; print(tms.__file__)")
case $where in "$work/venv/"*) ;; *) fail "tms is imported from $where, not the venv";; esac
"$work/venv/bin/python" -c "import gunicorn" 2>/dev/null && fail "gunicorn came without the extra"
"$tms" --version || fail "tms --version failed"

free_port() { "$work/venv/bin/python" -c \
  "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

# Wait for /healthz, then fetch /healthz, /readyz and /login; the server's output is in $2.
check_pages() {
  local base=$1 log=$2
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; fail "the server stopped"; }
    sleep 0.2
  done
  curl -fsS "$base/healthz" | grep -q '"status": *"ok"' || { cat "$log"; fail "/healthz"; }
  curl -fsS "$base/readyz" | grep -q '"status": *"ready"' || { cat "$log"; fail "/readyz"; }
  curl -fsS "$base/login" | grep -q '<form' || { cat "$log"; fail "/login has no form"; }
  echo "$base/healthz, $base/readyz and $base/login answered"
}

# SIGTERM, as systemd stops it (a background job of a script ignores SIGINT).
stop_server() {
  kill -TERM "$server_pid" && wait "$server_pid"
  local rc=$?
  server_pid=""
  return $rc
}

step "tms init"
"$tms" init || fail "tms init failed"

step "tms demo (built-in server: gunicorn is an extra)"
port=$(free_port)
"$tms" demo --port "$port" >"$work/demo.log" 2>&1 &
server_pid=$!
check_pages "http://127.0.0.1:$port" "$work/demo.log"
stop_server || { cat "$work/demo.log"; fail "tms demo did not stop cleanly on SIGTERM"; }
cat "$work/demo.log"
grep -q "No new samples" "$work/demo.log" && fail "tms demo imported no samples"
for slug in sample-declaration sample-manifesto; do
  grep -q "$slug" "$work/demo.log" || fail "tms demo did not import $slug"
done

step "tms export of one sample"
"$tms" export --doc sample-declaration --lang fr --format docx || fail "tms export failed"
[ -s exports/sample-declaration/fr/sample-declaration.fr.docx ] \
  || { ls -R exports; fail "the export wrote no DOCX"; }

step "add the server extra: tms serve under gunicorn"
"$work/venv/bin/pip" install -q "$wheel[server]" 2>&1 | grep -v "^WARNING: Location" \
  ; [ "${PIPESTATUS[0]}" = 0 ] || fail "pip could not install the server extra"
port=$(free_port)
"$tms" serve --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!
check_pages "http://127.0.0.1:$port" "$work/serve.log"
stop_server || { cat "$work/serve.log"; fail "tms serve did not stop cleanly on SIGTERM"; }
grep -q "gunicorn is not installed" "$work/serve.log" && fail "gunicorn was not used"

step "wheel check passed"
