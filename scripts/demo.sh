#!/bin/sh
# The quick-start demo: replaced as commands land.
set -eu
bin=$1
"$bin/eximparse" -h
