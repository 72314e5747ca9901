#!/usr/bin/env bash
# The SDK template builds outside the tree against the *installed* SDK only,
# and the daemon loads the result.
#   template_out_of_tree_test.sh <source dir> <build dir>
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
daemon_pid=""
cleanup() {
  [[ -n "$daemon_pid" ]] && kill -9 "$daemon_pid" 2>/dev/null || true
  # The daemon's log joins the suite's, which tests/logs scans for secrets.
  if [[ -n "${HELIX_TEST_LOG_DIR:-}" && -f "$work/log" ]]; then
    mkdir -p "$HELIX_TEST_LOG_DIR" && cp "$work/log" "$HELIX_TEST_LOG_DIR/sdk_template_out_of_tree-$$.log"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "FAIL at line $LINENO: $BASH_COMMAND" >&2; [[ -f "$work/log" ]] && cat "$work/log" >&2' ERR

# 1. Install nothing but the SDK component into a scratch prefix.
cmake --install "$build" --component sdk --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/helixagent/plugin_abi.h"
config=$(find "$work/prefix" -name HelixAgentSDKConfig.cmake)
test -n "$config" || { echo "FAIL: HelixAgentSDKConfig.cmake was not installed"; exit 1; }

# 2. Copy the template out of the tree (so no relative path can reach sdk/include) and build it.
cp -r "$src/sdk/template" "$work/template"
cmake -S "$work/template" -B "$work/template-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build "$work/template-build" >/dev/null
plugin="$work/template-build/libhelix_plain_text.so"
test -f "$plugin" || { echo "FAIL: the template produced no libhelix_plain_text.so"; exit 1; }

# 3. Its compile used the installed headers and never the source tree's.
grep -q -- "-I$work/prefix/include\|-isystem $work/prefix/include" "$work/template-build/compile_commands.json" \
  || { echo "FAIL: the template was not compiled against the installed SDK"; exit 1; }
if grep -q "$src/sdk" "$work/template-build/compile_commands.json"; then
  echo "FAIL: the template's build reached into the source tree"; exit 1
fi
# Only the entry points are exported: negotiate, and the 1.x entry that lets an old host name the version.
exported=$(nm -D --defined-only "$plugin" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
[[ "$exported" == "helix_plugin_entry helix_plugin_negotiate " ]] || { echo "FAIL: exported symbols: $exported"; exit 1; }

# 4. The daemon loads it and reports it ready.
cat > "$work/helixagent.yaml" <<YAML
server:
  listen: 127.0.0.1
  port: 0
api_keys: [sk-template-test-key]
plugins:
  plain:
    library: $plugin
    settings:
      base_url: http://127.0.0.1:9/complete
YAML
"$build/daemon/helixagentd" --check-config --config "$work/helixagent.yaml"
"$build/daemon/helixagentd" --config "$work/helixagent.yaml" 2>"$work/log" &
daemon_pid=$!
for _ in $(seq 400); do # up to 20 s: the machine may be busy with a parallel build
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log")
  [[ -n "$port" ]] && break
  sleep 0.05
done
[[ -n "${port:-}" ]] || { echo "FAIL: daemon did not start:"; cat "$work/log"; exit 1; }
ready=$(curl -sf -H "Authorization: Bearer sk-template-test-key" "http://127.0.0.1:$port/readyz")
echo "readyz: $ready"
[[ "$ready" == *'"plain":{"status":"ok","plugin":"plain_text 1.0.0"}'* ]] || { echo "FAIL: plugin not loaded"; exit 1; }
kill -TERM "$daemon_pid"
wait "$daemon_pid"
daemon_pid=""
echo "PASS: template built against the installed SDK and loaded"
