#!/usr/bin/env bash
# Checks that the Kafka wrapper still compiles against Debian bookworm's librdkafka 2.0.2, the
# version the Docker images build with (locally we use 2.8.0, see bootstrap.sh).
# Downloads librdkafka-dev and librdkafka1 with `apt-get download` (nothing is installed),
# extracts them into a temporary prefix, points pkg-config at them and builds only the Kafka
# target in a separate scratch path (.build-rdkafka202), leaving .build untouched.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BOOKWORM_LIBRDKAFKA_VERSION="2.0.2-1"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log "downloading librdkafka-dev and librdkafka1 $BOOKWORM_LIBRDKAFKA_VERSION (not installing)"
(cd "$tmp" && apt-get download -qq "librdkafka-dev=$BOOKWORM_LIBRDKAFKA_VERSION" "librdkafka1=$BOOKWORM_LIBRDKAFKA_VERSION") \
  || die "apt-get download failed (is bookworm in the apt sources? try apt-get update)"
for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$tmp/root"; done

prefix="$tmp/root/usr"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
header="$prefix/include/librdkafka/rdkafka.h"
[ -f "$header" ] || die "no rdkafka.h in the extracted packages"
header_version=$(grep -m1 '#define RD_KAFKA_VERSION' "$header" | awk '{print $3}')
log "extracted headers: RD_KAFKA_VERSION $header_version"

mkdir -p "$tmp/pkgconfig"
cat >"$tmp/pkgconfig/rdkafka.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib/$multiarch
includedir=\${prefix}/include

Name: librdkafka
Description: librdkafka $BOOKWORM_LIBRDKAFKA_VERSION from Debian bookworm (extracted, not installed)
Version: ${BOOKWORM_LIBRDKAFKA_VERSION%-*}
Cflags: -I\${includedir}
Libs: -L\${libdir} -lrdkafka
PC

cd "$REPO_ROOT"
log "building the Kafka target against librdkafka ${BOOKWORM_LIBRDKAFKA_VERSION%-*} (scratch path .build-rdkafka202)"
PKG_CONFIG_PATH="$tmp/pkgconfig" RESSUS_LIBRDKAFKA_PREFIX="$prefix" \
  swift build --target Kafka --scratch-path .build-rdkafka202 \
  || die "the Kafka target does not compile against librdkafka ${BOOKWORM_LIBRDKAFKA_VERSION%-*}"
log "ok: the Kafka target compiles against librdkafka ${BOOKWORM_LIBRDKAFKA_VERSION%-*}"
