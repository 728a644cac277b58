#!/bin/sh
# deps.sh [debug|test] - install what the build and the tests need, if it is missing.
# Debian 12 / Ubuntu: apt-get, through sudo when not root. Quiet when all is there.
# "debug" (make debug) adds the packages only debugging needs: none today,
# since make test runs gdb too (test/boot/gdb.t), so gdb is in the main list.
# "test" (make test) also wants Chromium, for the one test that loads the HTML
# report in a real browser (test/boot/pictures.t); make run does not.
#
# Required packages (the list below) stop the build when they cannot be
# installed. libFuzzer's runtime is optional (only make fuzz and make test
# use it): a miss is a warning, and apt is asked for it once per LLVM
# version (a stamp under ~/.cache remembers the try), so that a machine
# where it cannot be installed gets no sudo prompt on every make run.
set -eu

# command-or-file  package. shim-unsigned is required, not optional: CI must
# run secureboot.t's shim boots, which that test skips (saying so) without it.
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
/usr/lib/shim/shimx64.efi              shim-unsigned
openssl                                openssl
clang                                  clang
gdb                                    gdb
'
DEBUG_NEEDS=''
TEST_NEEDS='
chromium                               chromium
'

case ${1:-} in
'') want=$NEEDS ;;
debug) want=$NEEDS$DEBUG_NEEDS ;;
test) want=$NEEDS$TEST_NEEDS ;;
*) echo "usage: $0 [debug|test]" >&2; exit 2 ;;
esac

have() {
	case $1 in
	/*) for f in $1; do [ -e "$f" ] && return 0; done; return 1 ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

# The packages of the list in $1 whose command or file is missing.
missing_of() {
	echo "$1" | while read -r what pkg; do
		[ -n "$what" ] || continue
		have "$what" || echo "$pkg"
	done | sort -u | tr '\n' ' '
}

# libFuzzer (make fuzz, make test) is in the runtime of the clang that
# `clang` runs, which is not in the clang package, and whose package name
# carries the LLVM version: found by the resource directory, not a name.
have_fuzzer() {
	res=$(clang -print-resource-dir 2>/dev/null) || return 1
	for f in "$res"/lib/*/libclang_rt.fuzzer*.a; do [ -e "$f" ] && return 0; done
	return 1
}

# libclang-rt-N-dev (Debian 12, Ubuntu 24.04) or, before that split,
# libclang-common-N-dev (Ubuntu 22.04): whichever apt knows.
fuzzer_package() {
	res=$(clang -print-resource-dir 2>/dev/null) || return 1
	v=$(basename "$res" | cut -d. -f1)
	for p in "libclang-rt-$v-dev" "libclang-common-$v-dev"; do
		if apt-cache show "$p" >/dev/null 2>&1; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

apt_install() {
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

# Install all at once; if that fails (one unknown name fails them all),
# one by one, so that the others still come. 1 if any is still missing.
install() {
	apt_install "$@" && return 0
	echo "deps: retrying one package at a time" >&2
	failed=""
	for p in "$@"; do
		apt_install "$p" || failed="$failed $p"
	done
	[ -z "$failed" ] && return 0
	echo "deps: could not install:$failed" >&2
	return 1
}

# Where the one attempt at the optional package is remembered.
STAMPS="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/paging-playground"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
updated=""

# apt-get update, once per run: the package lists may be stale or empty.
apt_update() {
	[ -z "$updated" ] || return 0
	updated=1
	$SUDO apt-get update -qq || echo "deps: apt-get update failed; trying the install anyway" >&2
}

fuzzer_warning() {
	echo "deps: warning: no libFuzzer runtime for clang: $1; make fuzz and make test will fail" >&2
}

# The optional libFuzzer runtime of the clang that runs: one attempt per
# LLVM version, ever (the stamp), then only a warning. Never fails.
optional_fuzzer() {
	command -v clang >/dev/null || return 0
	have_fuzzer && return 0
	res=$(clang -print-resource-dir 2>/dev/null) || res=unknown
	stamp="$STAMPS/deps-tried-libfuzzer-$(basename "$res")"
	if ! command -v apt-get >/dev/null; then
		fuzzer_warning "no apt-get here, install clang's compiler-rt by hand"
	elif [ -e "$stamp" ]; then
		fuzzer_warning "apt was tried once already (to try again: rm $stamp)"
	else
		if mkdir -p "$STAMPS" 2>/dev/null; then : >"$stamp" 2>/dev/null || true; fi
		apt_update
		if ! pkg=$(fuzzer_package); then
			fuzzer_warning "apt knows neither libclang-rt-N-dev nor libclang-common-N-dev"
		else
			echo "deps: installing: $pkg (libFuzzer, optional)"
			apt_install "$pkg" || fuzzer_warning "installing $pkg failed"
		fi
	fi
}

missing=$(missing_of "$want")
if [ -n "$missing" ]; then
	if ! command -v apt-get >/dev/null; then
		echo "deps: no apt-get here; install by hand: $missing" >&2
		optional_fuzzer
		exit 1
	fi
	apt_update
	echo "deps: installing: $missing"
	status=0
	# shellcheck disable=SC2086
	install $missing || status=1
	optional_fuzzer
	exit $status
fi
optional_fuzzer
exit 0
