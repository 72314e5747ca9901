#!/usr/bin/env bash
# scripts/dev-api-key: the development key file is readable by its owner
# only, even under a umask that would make it world-readable, and the key is
# made once and then kept.
#   dev_api_key_test.sh <path/to/scripts/dev-api-key>
set -euo pipefail
script=${1:?usage: dev_api_key_test.sh <scripts/dev-api-key>}
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

umask 000
key=$("$script" "$tmp/api-key")
[[ $key =~ ^sk-helix-dev-[0-9a-f]{32}$ ]] || fail "unexpected key format"
mode=$(stat -c %a "$tmp/api-key")
[[ $mode == 600 ]] || fail "a new key file has mode $mode, not 600"
[[ $("$script" "$tmp/api-key") == "$key" ]] || fail "the key changed on the second call"

# A file left world-readable by an older checkout is tightened.
chmod 644 "$tmp/api-key"
"$script" "$tmp/api-key" >/dev/null
mode=$(stat -c %a "$tmp/api-key")
[[ $mode == 600 ]] || fail "an existing key file kept mode $mode"
echo "dev-api-key: ok"
