#!/usr/bin/env bash
# The Debian package: CPack builds helixagent_<version>_amd64.deb from the
# build directory; its metadata, maintainer scripts and layout are checked
# with dpkg-deb, then it is unpacked into a scratch root, where the packaged
# daemon checks the shipped configuration with the packaged plugins, the
# packaged helixagent-plugin-check passes a packaged plugin, and the packaged
# SDK builds the packaged template.
#   deb_package_test.sh <source dir> <build dir> <version>
set -euo pipefail
src=$1
build=$2
version=$3
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIPPED: $tool is not installed (Debian packages cmake and dpkg-dev; scripts/install-deps installs them)"
    exit 77
  fi
done
work=$(mktemp -d)
# The packaged programs' output joins the suite's logs, which tests/logs scans for secrets.
keep_logs() {
  if [[ -n "${HELIX_TEST_LOG_DIR:-}" ]]; then
    mkdir -p "$HELIX_TEST_LOG_DIR"
    for log in check plugin-check template; do
      [[ -f "$work/$log.log" ]] && cp "$work/$log.log" "$HELIX_TEST_LOG_DIR/deb_package_test-$$-$log.log"
    done
  fi
  rm -rf "$work"
}
trap keep_logs EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# 1. Build the package (as scripts/package does).
if ! (cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1); then
  cat "$work/cpack.log"
  echo "FAIL: cpack"
  exit 1
fi
deb="$work/out/helixagent_${version}_amd64.deb"
[[ -f "$deb" ]] || { ls -l "$work/out"; echo "FAIL: no $(basename "$deb")"; exit 1; }
ok "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# 2. Control fields.
info=$(dpkg-deb -I "$deb")
field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == helixagent ]] && ok "Package: helixagent" || fail "Package: $(field Package)"
[[ "$(field Version)" == "$version" ]] && ok "Version: $version" || fail "Version: $(field Version)"
[[ "$(field Architecture)" == amd64 ]] && ok "Architecture: amd64" || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
for dep in adduser libc6 libpoco libssl3 libyaml-cpp libprometheus-cpp libsystemd0 libboost-json1.81; do
  [[ "$depends" == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
ok "Depends: $depends"

# 3. Layout.
dpkg-deb -c "$deb" | awk '{print $1, $6}' >"$work/contents"
has() { # has <mode prefix> <path>
  grep -q "^$1[^ ]* \\.$2\$" "$work/contents" && ok "$2" || fail "missing $2 (mode $1)"
}
has -rwxr-xr-x /usr/bin/helixagentd
has -rwxr-xr-x /usr/bin/helixagent-plugin-check
for plugin in openai anthropic azure_openai aws_bedrock; do
  has -rw-r--r-- "/usr/lib/helixagent/plugins/libhelix_$plugin.so"
done
has -rw-r--r-- /usr/include/helixagent/plugin_abi.h
has -rw-r--r-- /usr/include/helixagent/plugin.hpp
has -rw-r--r-- /usr/lib/cmake/HelixAgentSDK/HelixAgentSDKConfig.cmake
has -rw-r--r-- /usr/lib/cmake/HelixAgentSDK/HelixAgentSDKConfigVersion.cmake
has -rw-r--r-- /usr/lib/cmake/HelixAgentSDK/HelixAgentSDKTargets.cmake
has -rw-r--r-- /usr/lib/cmake/HelixAgentSDK/HelixAgentPlugin.cmake
has -rw-r--r-- /etc/helixagent/helixagent.yaml
has -rw-r--r-- /etc/helixagent/helixagent.env
has -rw-r--r-- /etc/logrotate.d/helixagent
has -rw-r--r-- /lib/systemd/system/helixagent.service
has -rw-r--r-- /usr/share/doc/helixagent/sdk/README.md
has -rw-r--r-- /usr/share/doc/helixagent/sdk/template/plain_text_provider.cpp
has -rw-r--r-- /usr/share/helixagent/grafana/helixagent-dashboard.json
if grep -E "fixture|plain_text\.so|_test$|/usr/local|cloudsim" "$work/contents"; then
  fail "test fixtures, test programs or /usr/local paths in the package"
fi

# 4. Maintainer scripts and conffiles.
dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm postrm; do
  [[ -x "$work/control/$script" ]] && sh -n "$work/control/$script" && ok "$script is executable shell" \
    || fail "$script missing, not executable, or not valid shell"
done
grep -q "adduser --system --group" "$work/control/postinst" && ok "postinst creates the helixagent system user" \
  || fail "postinst does not create the system user"
for conf in /etc/helixagent/helixagent.yaml /etc/helixagent/helixagent.env /etc/logrotate.d/helixagent; do
  grep -qx "$conf" "$work/control/conffiles" && ok "conffile $conf" || fail "$conf is not a conffile"
done
if grep -v '^/etc/' "$work/control/conffiles"; then fail "a conffile outside /etc"; fi

# 5. Unpacked into a scratch root, the package's programs work with its own files.
root="$work/root"
dpkg-deb -x "$deb" "$root"
grep -qx "    su helixagent helixagent" "$root/etc/logrotate.d/helixagent" && ok "logrotate rotates as the service user" \
  || fail "the logrotate stanza lacks 'su helixagent helixagent'"
"$root/usr/bin/helixagentd" --version | grep -q "helixagentd $version" && ok "helixagentd --version" \
  || fail "helixagentd --version"
grep -q '^User=helixagent$' "$root/lib/systemd/system/helixagent.service" && ok "the unit runs as helixagent" \
  || fail "the unit does not run as the helixagent user"
# (with the provider settings an operator puts in /etc/helixagent/helixagent.env)
if env -i PATH="$PATH" HELIXAGENT_PLUGIN_DIR="$root/usr/lib/helixagent/plugins" HELIXAGENT_API_KEY=sk-package-test \
   OPENAI_API_KEY=sk-package-openai ANTHROPIC_API_KEY=sk-package-anthropic \
   AZURE_OPENAI_ENDPOINT=https://package-test.openai.azure.com AZURE_OPENAI_API_KEY=package-azure-key \
   AWS_BEDROCK_REGION=us-east-1 AWS_BEDROCK_ACCESS_KEY_ID=AKIDPACKAGETEST AWS_BEDROCK_SECRET_ACCESS_KEY=package/secret \
   GCP_VERTEX_PROJECT_ID=package-test GCP_VERTEX_LOCATION=us-central1 GCP_VERTEX_ACCESS_TOKEN=ya29.package \
   "$root/usr/bin/helixagentd" --check-config --config "$root/etc/helixagent/helixagent.yaml" >"$work/check.log" 2>&1; then
  ok "the shipped configuration checks with the packaged plugins"
else
  cat "$work/check.log"
  fail "the shipped configuration does not check with the packaged plugins"
fi
if "$root/usr/bin/helixagent-plugin-check" --threads 2 --rounds 1 --settings '{"api_key":"sk-package-test"}' \
   "$root/usr/lib/helixagent/plugins/libhelix_openai.so" >"$work/plugin-check.log" 2>&1; then
  ok "helixagent-plugin-check passes the packaged openai plugin"
else
  cat "$work/plugin-check.log"
  fail "helixagent-plugin-check on the packaged openai plugin"
fi
cp -r "$root/usr/share/doc/helixagent/sdk/template" "$work/template"
if cmake -S "$work/template" -B "$work/template-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
     -DCMAKE_PREFIX_PATH="$root/usr" >"$work/template.log" 2>&1 &&
   cmake --build "$work/template-build" >>"$work/template.log" 2>&1 &&
   "$root/usr/bin/helixagent-plugin-check" --threads 2 --rounds 1 --replies "$work/template/check" \
     --settings '{"base_url":"http://127.0.0.1:9/complete"}' "$work/template-build/libhelix_plain_text.so" \
     >>"$work/template.log" 2>&1; then
  ok "the packaged template builds against the packaged SDK and passes the check"
else
  cat "$work/template.log"
  fail "the packaged template with the packaged SDK"
fi

((failures == 0)) || { echo "$failures checks failed"; exit 1; }
echo "PASS: $(basename "$deb")"
