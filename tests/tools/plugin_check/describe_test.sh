#!/bin/sh
# helixagent-plugin-check --describe prints a plugin's settings table and
# models, as text, Markdown and JSON: the third-party acme fixture (its own
# secret, required key, default, host option and variables) and the bundled
# openai plugin; a secret never appears; a library that does not load exits 1
# with the loader's reason on stderr; a bad --format is bad usage (2).
# usage: describe_test.sh CHECKER ACME.so OPENAI.so
set -u
checker=$1 acme=$2 openai=$3
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failed=0

expect() { # expect LINE: the output has exactly this line
    if ! grep -qxF -- "$1" "$out"; then
        echo "missing line: $1"
        failed=1
    fi
}
describe() { # describe WHAT ARGS...: --describe ARGS into $out and $err, which must succeed
    what=$1; shift
    "$checker" --describe "$@" >"$out" 2>"$err" || { echo "$what: --describe failed"; failed=1; }
    cat "$out" "$err"
}
no_secret() {
    if grep -q "describe-pin-0000\|sk-describe-0000" "$out" "$err"; then echo "a secret was printed ($1)"; failed=1; fi
}
acme_settings='{"endpoint":"http://127.0.0.1:9/","pin":"describe-pin-0000"}'

echo "== text"
describe "text of acme" --settings "$acme_settings" "$acme"
expect "plugin acme 1.0.0 (ABI 2.0, concurrent calls)"
expect "file $acme"
expect "settings (plugins.NAME.settings):"
expect "  endpoint  string    [required]"
expect "            The plain-text service's URL."
expect "            environment: \"ACME_ENDPOINT\" (provider \"acme\")"
expect "  pin       string    [secret]"
expect "            environment: \"ACME_PIN\" (provider \"acme\")"
expect "  retries   integer"
expect "            default: 2"
expect "host options (plugins.NAME.<option>):"
expect "  timeout   duration"
expect "            environment: \"ACME_TIMEOUT\" (provider \"acme\")"
expect "models (an instance made from --settings):"
expect "  acme-1: streaming; context window 4096"
expect "  leak: streaming; context window 4096"
no_secret text

echo "== settings the plugin refuses: the table still, and why no models (secret redacted)"
describe "refused settings" --settings '{"retries":9,"pin":"describe-pin-0000"}' "$acme"
expect "  retries   integer"
expect "  not listed: provider 'described' ($acme): plugin refused its settings: retries above 5 are not allowed with pin [redacted]"
no_secret refused

echo "== markdown"
describe "markdown of acme" --format markdown --settings "$acme_settings" "$acme"
expect "## acme 1.0.0"
expect "Plugin ABI 2.0, concurrent calls."
expect "### Settings (\`plugins.<name>.settings\`)"
expect "| Key | Type | Default | Flags | Environment | Description |"
expect "| \`endpoint\` | string |  | required | \`ACME_ENDPOINT\` (provider \`acme\`) | The plain-text service's URL. |"
expect "| \`pin\` | string |  | secret | \`ACME_PIN\` (provider \`acme\`) | The account PIN. |"
expect "| \`retries\` | integer | \`2\` |  |  | At most 5. |"
expect "### Host options (\`plugins.<name>.<option>\`)"
expect "| \`timeout\` | duration |  |  | \`ACME_TIMEOUT\` (provider \`acme\`) | The provider's timeout. |"
expect "| \`acme-1\` | \`acme-1\` | streaming | 4096 |"
expect "| \`leak\` | \`leak\` | streaming | 4096 |"
no_secret markdown

echo "== json"
describe "json of acme" --format json --settings "$acme_settings" "$acme"
node -e '
const assert = require("assert");
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
assert.strictEqual(d.name, "acme"); assert.strictEqual(d.version, "1.0.0"); assert.strictEqual(d.abi, "2.0");
assert.strictEqual(d.threads, "concurrent");
const by = Object.fromEntries(d.settings.map(s => [s.name, s]));
assert.deepStrictEqual(Object.keys(by), ["endpoint", "pin", "retries", "timeout"]);
assert.deepStrictEqual(by.pin, {name: "pin", type: "string", required: false, secret: true, host_option: false,
  description: "The account PIN.", default: null, env: ["ACME_PIN"], env_provider: "acme"});
assert.strictEqual(by.endpoint.required, true);
assert.strictEqual(by.retries.default, "2"); assert.strictEqual(by.retries.env_provider, null);
assert.strictEqual(by.timeout.host_option, true); assert.strictEqual(by.timeout.type, "duration");
assert.deepStrictEqual(d.models[0], {id: "acme-1", upstream_id: "acme-1", capabilities: ["streaming"], context_window: 4096});
assert.deepStrictEqual(d.models.map(m => m.id), ["acme-1", "leak"]);
' "$out" || { echo "json assertions failed"; failed=1; }
no_secret json
describe "json of refused settings" --format json --settings '{"retries":9,"pin":"describe-pin-0000"}' "$acme"
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (d.models !== null || !/retries above 5 are not allowed with pin \[redacted\]/.test(d.models_refused)) process.exit(1);
' "$out" || { echo "json of refused settings"; cat "$out"; failed=1; }
no_secret json-refused

echo "== a bundled plugin"
describe "openai" --settings '{"api_key":"sk-describe-0000","models":["gpt-4o"]}' "$openai"
expect "  api_key       string    [secret]"
expect "                environment: \"OPENAI_API_KEY\" (provider \"openai\")"
expect "                default: https://api.openai.com/v1"
if ! grep -q "^  gpt-4o: streaming" "$out"; then echo "no gpt-4o model line"; failed=1; fi
no_secret openai

echo "== errors"
if "$checker" --describe /nonexistent/libnothing.so >"$out" 2>"$err"; then echo "a missing library described"; failed=1; fi
if ! grep -qxF "helixagent-plugin-check: cannot describe: /nonexistent/libnothing.so: no such plugin file (expected a shared library built with the HelixAgent SDK)" "$err"; then
    echo "no loader reason on stderr:"; cat "$err"; failed=1
fi
"$checker" --describe --format yaml "$acme" >"$out" 2>"$err"
[ $? -eq 2 ] && grep -q -- "--format needs text, markdown or json" "$err" || { echo "bad --format not refused"; failed=1; }
"$checker" --format json "$acme" >"$out" 2>"$err"
[ $? -eq 2 ] && grep -q -- "--format goes with --describe" "$err" || { echo "--format without --describe"; failed=1; }
exit $failed
