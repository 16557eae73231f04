#!/usr/bin/env bash
# Writes the triage note of an engine finding (Markdown, to stdout): engine and its
# pinned version (engines/sources.lock, plus our patches), the target, the
# minimized input (escaped and as hex), the top of the stack, and the command that
# reproduces it. See corpus/engine-bugs/README.md.
#   fuzz/triage_note.sh ENGINE TARGET BINARY INPUT REPORT_FILE
set -euo pipefail
engine=$1 target=$2 bin=$3 input=$4 report=$5
version=$(awk -v e="$engine" '$1 == e { print $2 "=" $3; exit }' engines/sources.lock)
patches=$(ls engines/patches/"$engine"-*.patch 2>/dev/null | xargs -r -n1 basename | paste -sd, - || true)
cat <<NOTE
# Engine finding: $engine, target $target

- engine: \`$engine\`, source \`$version\` (engines/sources.lock), our patches: ${patches:-none}
- found: $(date -u +%Y-%m-%d) by \`fuzz/campaign.sh\`, build preset \`fuzz\` (clang, ASan + UBSan)
- input: \`$(basename "$input")\` beside this note, $(wc -c <"$input") bytes
- reproduce: \`$bin $input\`
- status: untriaged (next: reproduce on upstream, then patch in engines/patches/ with a
  description like luajit-strfmt-unsigned-negation.patch, or report upstream)

## Minimized input

\`\`\`
$(head -c 2000 "$input" | cat -v)
\`\`\`

\`\`\`
$(head -c 512 "$input" | od -An -c | head -20)
\`\`\`

## Report (top)

\`\`\`
$(grep -E 'ERROR|runtime error|SUMMARY|^ *#[0-9]+ ' "$report" | head -30)
\`\`\`
NOTE
