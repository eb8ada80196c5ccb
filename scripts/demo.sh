#!/bin/sh
# The quick-start demo: replaced as commands land.
set -eu
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
echo "== eximparse: rejections and AUTH failures in the sample logs (TSV)"
"$bin/eximparse" -f tsv -F ts,ip,event,reason -e reject,auth_fail \
    "$top/testdata/sample" || [ $? = 1 ]
