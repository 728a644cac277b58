#!/bin/sh
# fetch-kernel.sh [CACHE] - Debian's i386 non-PAE kernel for the Linux peer.
#
# make bench-compare runs this before it boots the peer (docs/bench.md, "The
# Linux peer"). It downloads one package with apt-get: the image that
# linux-image-686:i386 depends on (LINUX_PEER_PACKAGE=linux-image-6.1.0-N-686
# pins another), and keeps from it the kernel, its config and the modules the
# peer loads (virtio-blk, vfat). Nothing on the system changes: apt reads the
# machine's sources but keeps its i386 package lists in CACHE/apt, so neither
# `dpkg --add-architecture` nor root is needed.
#
# CACHE (default $LINUX_PEER_CACHE, else ~/.cache/paging-playground/linux-i386)
# ends up holding
#   vmlinuz config modules/<name>.ko   what the peer boots
#   kernel.txt                         "<package> <version> <sha256 of the .deb>"
# A cache that holds them is used as it is, without network; remove it (or
# LINUX_PEER_REFRESH=1) to fetch again. Exit 0, or 1 with a message saying
# what could not be fetched and why.
set -eu

CACHE=${1:-${LINUX_PEER_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/paging-playground/linux-i386}}
META=linux-image-686             # Debian's non-PAE flavour: two-level paging, as ours
# The .ko files the peer's /init loads (scripts/bench/linux_peer.py orders them).
MODULES='drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko
drivers/virtio/virtio_pci.ko drivers/virtio/virtio_pci_legacy_dev.ko
drivers/virtio/virtio_pci_modern_dev.ko drivers/block/virtio_blk.ko
fs/fat/fat.ko fs/fat/vfat.ko fs/nls/nls_cp437.ko fs/nls/nls_ascii.ko'

fail() {
	echo "fetch-kernel: $*" >&2
	echo "fetch-kernel: the Linux peer of make bench-compare needs Debian's i386 kernel;" \
		"apt-get must reach a Debian 12 (bookworm) mirror (docs/bench.md)" >&2
	exit 1
}

if [ -s "$CACHE/kernel.txt" ] && [ -s "$CACHE/vmlinuz" ] && [ -z "${LINUX_PEER_REFRESH:-}" ]; then
	exit 0
fi
command -v apt-get >/dev/null || fail "no apt-get on this machine"
command -v dpkg-deb >/dev/null || fail "no dpkg-deb on this machine"

mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial" ||
	fail "cannot create $CACHE"
: >"$CACHE/apt/status"
# apt with its own state: i386 only, lists and status in the cache.
aptc() {
	tool=$1
	shift
	"$tool" -q -o APT::Architecture=i386 -o APT::Architectures::=i386 \
		-o Dir::State::Lists="$CACHE/apt/lists" -o Dir::Cache="$CACHE/apt/cache" \
		-o Dir::State::status="$CACHE/apt/status" -o Debug::NoLocking=1 "$@"
}

echo "fetch-kernel: apt-get update (i386 package lists, into $CACHE/apt)"
log=$(aptc apt-get update 2>&1) || fail "apt-get update failed:
$(echo "$log" | tail -5)"

pkg=${LINUX_PEER_PACKAGE:-}
if [ -z "$pkg" ]; then
	pkg=$(aptc apt-cache depends "$META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	pkg=${pkg%:i386}
	[ -n "$pkg" ] || fail "apt knows no $META:i386 (is a bookworm source in /etc/apt?)"
fi
ver=$(aptc apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || fail "apt has no candidate for $pkg:i386"

work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetch-kernel: apt-get download $pkg:i386 $ver"
# apt-get run by root downloads as the user _apt, which must write here.
if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$work"
fi
log=$(cd "$work" && aptc apt-get download "$pkg=$ver" 2>&1) ||
	fail "apt-get download $pkg=$ver failed:
$(echo "$log" | tail -5)"
deb=$(ls "$work"/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "apt-get download left no .deb"

mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x" || fail "cannot unpack $deb"
kver=$(ls "$work/x/lib/modules" | head -1)
[ -n "$kver" ] && [ -f "$work/x/boot/vmlinuz-$kver" ] || fail "$deb holds no kernel image"
rm -rf "$CACHE/modules" "$CACHE/kernel.txt"
mkdir -p "$CACHE/modules"
cp "$work/x/boot/vmlinuz-$kver" "$CACHE/vmlinuz"
cp "$work/x/boot/config-$kver" "$CACHE/config"
for m in $MODULES; do
	cp "$work/x/lib/modules/$kver/kernel/$m" "$CACHE/modules/" ||
		fail "$deb has no $m (a kernel with other modules?)"
done
echo "$pkg $ver $(sha256sum "$deb" | cut -d' ' -f1)" >"$CACHE/kernel.txt"
rm -rf "$CACHE/apt"          # 19 MB of package lists, fetched again on a refresh
echo "fetch-kernel: $pkg $ver -> $CACHE"
