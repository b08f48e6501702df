#!/usr/bin/env bash
# Generates the HCL2 specs (*.hcl2spec.go) and docs (docs-partials/, .web-docs/) from the config
# structs. packer-sdc struct-markdown finds the project root by walking up to a folder named
# packer-plugin-* (and loops forever when there is none), so generation runs in a copy under such a
# name. --write copies the results back; --check fails when they differ from the committed files.
set -euo pipefail
mode=${1:---write}
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy="$work/packer-plugin-imagecustomizer"
mkdir -p "$copy"
tar -C "$repo" --exclude=./.git --exclude=./bin --exclude=./dist --exclude=./.packer.d --exclude='./example/output-*' --exclude='./example/*/output-*' \
  --exclude='./packer-plugin-imagecustomizer' -cf - . | tar -C "$copy" -xf -

generated_paths() { # the files this script owns, relative to a tree
  (cd "$1" && find . -name '*.hcl2spec.go' -not -path './bin/*'; \
   [ -d docs-partials ] && find docs-partials -type f; [ -d .web-docs ] && find .web-docs -type f) | sed 's|^\./||' | sort
}

(
  cd "$copy"
  find . -name '*.hcl2spec.go' -delete
  rm -rf docs-partials .web-docs/components
  PATH="$repo/bin:$PATH" timeout 600 go generate ./...
  # Field types in a template's terms: a nested struct is a block (a list of them, a block that
  # may repeat), an optional number is a number. The docs name none of the plugin's Go types.
  find docs-partials -name '*.mdx' -exec sed -i -E \
    -e 's/^(- `[a-z0-9_]+`) \(\[\]([a-z]+\.)?[A-Z][A-Za-z]*\)/\1 (block, repeatable)/' \
    -e 's/^(- `[a-z0-9_]+`) \((\\\*)?([a-z]+\.)?[A-Z][A-Za-z]*\)/\1 (block)/' \
    -e 's/^(- `[a-z0-9_]+`) \(\\\*(int|int64)\)/\1 (number)/' \
    -e 's/^(- `[a-z0-9_]+`) \(\\\*string\)/\1 (string)/' {} +
  # Render docs/ with the partials, then lay them out as the integration pages expect.
  rm -rf .docs
  "$repo/bin/packer-sdc" renderdocs -src docs -partials docs-partials/ -dst .docs/
  bash scripts/web-docs.sh .docs .web-docs
  rm -rf .docs
)

if [ "$mode" = --check ]; then
  status=0
  diff <(generated_paths "$repo") <(generated_paths "$copy") || { echo "generate: the set of generated files differs"; status=1; }
  for f in $(generated_paths "$copy"); do
    if ! cmp -s "$copy/$f" "$repo/$f"; then
      echo "generate: $f is out of date; run 'make generate'"
      status=1
    fi
  done
  [ $status -eq 0 ] && echo "generate: every generated file is up to date"
  exit $status
fi

for f in $(generated_paths "$repo"); do rm -f "$repo/$f"; done
for f in $(generated_paths "$copy"); do
  mkdir -p "$repo/$(dirname "$f")"
  cp "$copy/$f" "$repo/$f"
done
echo "generate: wrote $(generated_paths "$copy" | wc -l) files"
