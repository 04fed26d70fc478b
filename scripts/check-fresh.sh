#!/usr/bin/env bash
# Proves the README's set-up on a machine as fresh as this one can pretend to be:
# a fresh clone of the committed HEAD, empty npm, Go and XDG caches (so nsqd is built
# and Chromium unpacked from scratch), CHROME_BIN unset and no chromium on the PATH,
# then the README's `npm install && npm test`, with CI unset as a user has it.
# Expects exit 0, no skipped integration suite, browser specs > 0 run by the
# packaged Chromium. Prints the timings and the size the browser adds.
#   scripts/check-fresh.sh [--keep]    (--keep leaves the scratch folder)
set -uo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
scratch=$(mktemp -d /tmp/rxmini-fresh.XXXXXX)
trap '[ "${1:-}" = --keep ] || rm -rf "$scratch"' EXIT
log="$scratch/test.log"

git clone -q "$repo" "$scratch/rxmini"
cd "$scratch/rxmini" || exit 1
export XDG_CACHE_HOME="$scratch/cache" npm_config_cache="$scratch/npm-cache"
export GOPATH="$scratch/go" GOCACHE="$scratch/go-build" GOFLAGS=-modcacherw
unset CHROME_BIN CI RXMINI_NSQ_BIN NSQD_TCP_ADDRESS NSQD_HTTP_ADDRESS NSQLOOKUPD_HTTP_ADDRESS
# the PATH without any folder that holds a system Chromium (the check exits if it cannot drop one)
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do
  for b in chromium chromium-browser google-chrome; do [ -x "$d/$b" ] && continue 2; done
  printf '%s:' "$d"
done)
export PATH="${PATH%:}"
if command -v chromium >/dev/null 2>&1; then echo "check-fresh: cannot hide $(command -v chromium)"; exit 1; fi

echo "check-fresh: $(git log -1 --format='%h %s')"
start=$(date +%s)
npm install --no-audit --no-fund >"$scratch/install.log" 2>&1
install_rc=$?
installed=$(date +%s)
[ $install_rc -eq 0 ] || { tail -20 "$scratch/install.log"; echo "check-fresh: npm install failed"; exit 1; }
npm test >"$log" 2>&1
test_rc=$?
done_at=$(date +%s)

browser_mb=$(du -sm node_modules/@sparticuz/chromium 2>/dev/null | cut -f1)
unpacked_mb=$(du -sm "$XDG_CACHE_HOME/rxmini-chromium" 2>/dev/null | cut -f1)
grep -E '^(nsq: |browser: |node specs: |browser specs: |package check)' "$log"
echo "check-fresh: npm install $((installed - start)) s, npm test $((done_at - installed)) s (exit $test_rc)"
echo "check-fresh: @sparticuz/chromium adds ${browser_mb:-?} MB to node_modules, ${unpacked_mb:-?} MB unpacked in the cache"

fail() { echo "check-fresh: FAILED: $1 (log: $log)"; trap - EXIT; exit 1; }
[ $test_rc -eq 0 ] || { tail -40 "$log"; fail "npm test exited $test_rc"; }
grep -q 'INTEGRATION SPECS WERE SKIPPED' "$log" && fail 'integration specs were skipped'
grep -q 'BROWSER SPECS WERE SKIPPED' "$log" && fail 'browser specs were skipped'
grep -q '^browser: @sparticuz/chromium' "$log" || fail 'the browser was not the packaged Chromium'
browser_passed=$(sed -nE 's/^browser specs: ([0-9]+) passed.*/\1/p' "$log" | tail -1)
[ "${browser_passed:-0}" -gt 0 ] || fail 'no browser spec ran'
echo "check-fresh: OK"
