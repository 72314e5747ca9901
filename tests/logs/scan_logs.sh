#!/usr/bin/env bash
# Fails if any log under DIR contains a secret listed in SECRETS_FILE, or if
# DIR holds no non-empty log at all (a scan of nothing proves nothing).
#   scan_logs.sh DIR SECRETS_FILE
set -euo pipefail
dir=${1:?usage: scan_logs.sh DIR SECRETS_FILE}
secrets_file=${2:?usage: scan_logs.sh DIR SECRETS_FILE}

patterns=$(mktemp)
trap 'rm -f "$patterns"' EXIT
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$secrets_file" >"$patterns" || true
if [[ ! -s "$patterns" ]]; then
  echo "scan_logs: no secrets listed in $secrets_file" >&2
  exit 2
fi

mapfile -t logs < <(find "$dir" -type f -size +0c 2>/dev/null | sort)
if ((${#logs[@]} == 0)); then
  echo "scan_logs: no logs under $dir: the tests that write them did not run, or wrote nowhere" >&2
  exit 1
fi

# -F fixed strings, -a binary-safe; print file and the matching secret only
# (-o), never the whole line, so this report does not spread a leak further.
if leaks=$(grep -a -H -o -F -f "$patterns" -- "${logs[@]}" | sort -u); then
  echo "scan_logs: secrets found in test logs:" >&2
  while IFS= read -r hit; do
    file=${hit%%:*}
    secret=${hit#*:}
    echo "  $file: a secret beginning '${secret:0:6}'" >&2
  done <<<"$leaks"
  exit 1
fi
bytes=$(cat -- "${logs[@]}" | wc -c)
echo "scan_logs: ${#logs[@]} logs ($bytes bytes) under $dir, $(wc -l <"$patterns") secrets, none found"
