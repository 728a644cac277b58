#!/bin/sh
# deps.sh - install what the build and the tests need, if it is missing.
# Debian 12 / Ubuntu: apt-get, through sudo when not root. Quiet when all is there.
set -eu

# command-or-file  package
NEEDS='
gcc                                    gcc
ld                                     binutils
make                                   make
/usr/lib/gcc/x86_64-linux-gnu/*/32/libgcc.a gcc-multilib
/usr/include/efi/efi.h                 gnu-efi
/usr/share/OVMF/OVMF_CODE_4M.fd        ovmf
qemu-system-x86_64                     qemu-system-x86
mcopy                                  mtools
sgdisk                                 gdisk
/usr/include/cmocka.h                  libcmocka-dev
prove                                  perl
python3                                python3
sbsign                                 sbsigntool
openssl                                openssl
clang                                  clang
/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
'

missing=""
have() {
	case $1 in
	/*) for f in $1; do [ -e "$f" ] && return 0; done; return 1 ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

echo "$NEEDS" | while read -r what pkg; do
	[ -n "$what" ] || continue
	have "$what" || echo "$pkg"
done >"${TMPDIR:-/tmp}/pg-missing.$$"
missing=$(sort -u "${TMPDIR:-/tmp}/pg-missing.$$" | tr '\n' ' ')
rm -f "${TMPDIR:-/tmp}/pg-missing.$$"
[ -z "$missing" ] && exit 0

echo "deps: installing: $missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
command -v apt-get >/dev/null || { echo "deps: no apt-get here; install by hand: $missing" >&2; exit 1; }
$SUDO apt-get update -qq || echo "deps: apt-get update failed; trying the install anyway" >&2
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
