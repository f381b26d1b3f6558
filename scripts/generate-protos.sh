#!/usr/bin/env bash
# Regenerates Sources/TandemProtos/*.pb.swift from Sources/TandemProtos/Protos/**/*.proto.
#
# Needs apt's protoc (protobuf-compiler) and protoc-gen-swift from swift-protobuf 1.39.0, the
# version Package.swift pins; it is built once outside the repository:
#   git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && git checkout 1.39.0 && swift build --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/debug/protoc-gen-swift scripts/generate-protos.sh
# The generated files are committed, so building Tandem needs neither tool.
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
if [[ -z "$PLUGIN" || ! -x "$PLUGIN" ]]; then
  echo "protoc-gen-swift not found: set PROTOC_GEN_SWIFT (see the comment at the top of $0)" >&2
  exit 1
fi
PROTOS=Sources/TandemProtos/Protos
OUT=Sources/TandemProtos
rm -f "$OUT"/*.pb.swift
protoc --plugin=protoc-gen-swift="$PLUGIN" \
  --proto_path="$PROTOS" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$OUT" \
  "$PROTOS"/onnx/onnx.proto "$PROTOS"/tensorboard/summary.proto \
  "$PROTOS"/tensorboard/event.proto "$PROTOS"/tensorboard/graph.proto
echo "generated: $(ls "$OUT"/*.pb.swift | tr '\n' ' ')"
