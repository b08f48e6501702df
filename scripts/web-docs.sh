#!/usr/bin/env bash
# Lays rendered docs out as .web-docs/ (the integration pages' layout):
#   README.md, metadata.hcl and components/<kind>/<slug>/README.md
set -euo pipefail
src=$1 dst=$2
mkdir -p "$dst"
cp "$src/README.md" "$dst/README.md"
for kind in builders:builder provisioners:provisioner post-processors:post-processor; do
  from=${kind%%:*} to=${kind##*:}
  [ -d "$src/$from" ] || continue
  for page in "$src/$from"/*.mdx; do
    slug=$(basename "$page" .mdx)
    mkdir -p "$dst/components/$to/$slug"
    # Drop the front matter; the integration page starts at the first heading.
    awk 'BEGIN{fm=0} NR==1 && /^---$/ {fm=1; next} fm && /^---$/ {fm=0; next} !fm' "$page" \
      > "$dst/components/$to/$slug/README.md"
  done
done
