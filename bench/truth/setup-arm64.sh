#!/usr/bin/env bash
# Makes arm64 Linux binaries runnable here under user-mode emulation, for the truth harness's
# arm64 runs: Debian's qemu-user-static and arm64 glibc/libstdc++ (the loader and libraries an
# arm64 Node and its addons need), and a binfmt_misc handler so that an arm64 `node` started by
# npm, node-gyp-build or an install script (process.execPath, #!/usr/bin/env node) runs too.
# Needs root. Idempotent.
set -euo pipefail
if ! command -v qemu-aarch64-static >/dev/null || [[ ! -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ]]; then
  apt-get update -qq
  apt-get install -y -qq qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross
fi
if [[ ! -e /proc/sys/fs/binfmt_misc/register ]]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
  # the magic and mask of qemu's scripts/qemu-binfmt-conf.sh for aarch64; F opens the
  # interpreter now, so it works inside other mount namespaces too
  printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' \
    >/proc/sys/fs/binfmt_misc/register
fi
echo "arm64 emulation: $(head -1 /proc/sys/fs/binfmt_misc/qemu-aarch64), QEMU_LD_PREFIX=/usr/aarch64-linux-gnu"
