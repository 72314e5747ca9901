#!/usr/bin/env bash
# The scanner itself: it must catch a planted secret, fail on an empty or
# missing directory, and pass clean logs.
set -euo pipefail
scanner="$(dirname "$0")/scan_logs.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
expect() { # expect <exit code> <what> <command...>
  local want=$1 what=$2
  shift 2
  local got=0
  "$@" >"$work/out" 2>&1 || got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"; sed 's/^/  /' "$work/out"; failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}

printf '# comment\nsk-planted-secret-123\n\nAKIDPLANTED/with+chars\n' >"$work/secrets"
mkdir "$work/empty" "$work/clean" "$work/leak" "$work/leak2" "$work/only-empty-files"
printf 'listening on 127.0.0.1:7061\nclient=tests\n' >"$work/clean/d.log"
cp "$work/clean/d.log" "$work/leak/a.log"
printf '{"client":"x","note":"Bearer sk-planted-secret-123"}\n' >"$work/leak/b.access.log"
mkdir -p "$work/leak2/nested"
printf 'key=AKIDPLANTED/with+chars\n' >"$work/leak2/nested/c.log"
: >"$work/only-empty-files/e.log"

expect 0 "clean logs pass" "$scanner" "$work/clean" "$work/secrets"
expect 1 "a planted client key is caught" "$scanner" "$work/leak" "$work/secrets"
expect 1 "a planted secret in a nested log is caught" "$scanner" "$work/leak2" "$work/secrets"
expect 1 "no logs at all fails" "$scanner" "$work/empty" "$work/secrets"
expect 1 "only empty logs fails" "$scanner" "$work/only-empty-files" "$work/secrets"
expect 1 "a missing directory fails" "$scanner" "$work/nope" "$work/secrets"
: >"$work/no-secrets"
expect 2 "an empty secrets list is an error" "$scanner" "$work/clean" "$work/no-secrets"
# The report names the file but never prints the secret whole.
"$scanner" "$work/leak" "$work/secrets" >"$work/report" 2>&1 || true
if grep -q "sk-planted-secret-123" "$work/report"; then
  echo "FAIL: the report repeats the secret"; failures=$((failures + 1))
else
  echo "ok: the report does not repeat the secret"
fi
exit $((failures > 0))
