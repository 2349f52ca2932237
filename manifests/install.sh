#!/bin/sh
# Installs Mekiki for the current user on Linux or macOS: builds the host in release mode, puts
# `mekiki` in a user bin directory ($MEKIKI_BIN_DIR, default ~/.local/bin), registers it as
# Thunderbird's native-messaging host (`mekiki install`), checks it (`mekiki doctor`) and packages the
# extension as dist/mekiki.xpi. What is left is one click in Thunderbird, printed at the end.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
bin_dir=${MEKIKI_BIN_DIR:-$HOME/.local/bin}
target_dir=${CARGO_TARGET_DIR:-$repo/target}
xpi=$repo/dist/mekiki.xpi

fail() {
    echo "install.sh: $*" >&2
    exit 1
}

command -v cargo >/dev/null 2>&1 || fail "cargo not found: install Rust (https://rustup.rs) and run this again"
[ -f "$repo/extension/manifest.json" ] || fail "$repo/extension/manifest.json is missing"

echo "==> Building the host (release)"
(cd "$repo" && cargo build --release -p mekiki)

echo "==> Installing $bin_dir/mekiki"
mkdir -p "$bin_dir"
# Copy then rename: replacing a binary Thunderbird is running must not fail with "text file busy".
cp "$target_dir/release/mekiki" "$bin_dir/.mekiki.new"
chmod 755 "$bin_dir/.mekiki.new"
mv -f "$bin_dir/.mekiki.new" "$bin_dir/mekiki"

echo "==> Registering the native-messaging host"
"$bin_dir/mekiki" install
"$bin_dir/mekiki" doctor

echo "==> Packaging the extension"
mkdir -p "$repo/dist"
rm -f "$xpi"
if command -v zip >/dev/null 2>&1; then
    (cd "$repo/extension" && zip -q -r -X "$xpi" . -x '.*' '*/.*')
else
    # manifest.json must sit at the archive's root, with forward-slash paths.
    python3 - "$repo/extension" "$xpi" <<'EOF'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as xpi:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                path = os.path.join(folder, name)
                xpi.write(path, os.path.relpath(path, root).replace(os.sep, "/"))
EOF
fi

case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "note: $bin_dir is not on your PATH (Thunderbird does not need it; the CLI does)" ;;
esac

cat <<EOF

Mekiki's host is installed. One click is left, in Thunderbird:
  Add-ons and Themes (≡ menu → Add-ons and Themes) → ⚙ (gear) → Install Add-on From File…
  → $xpi
Then open any message: the Mekiki banner appears above it.
EOF
