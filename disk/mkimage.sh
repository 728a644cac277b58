#!/bin/sh
# mkimage.sh OUT.img BOOTX64.EFI [playground.cfg] [file.pg ...]
#
# Build the disk image a USB stick needs, without root or loop mounts:
# a GPT disk with one EFI System Partition (type EF00) holding a FAT32 file
# system of exactly the partition's size (edk2 rejects FAT32 with fewer than
# 65525 clusters, hence 64 MiB and more), and in it
#   \EFI\BOOT\BOOTX64.EFI      the loader, with the kernel inside
#   \EFI\BOOT\playground.cfg   optional boot configuration
#   \EFI\BOOT\*.pg             optional playground scripts
# The result is checked with sgdisk -v and minfo before it is kept.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OUT.img BOOTX64.EFI [playground.cfg] [script.pg ...]" >&2; exit 2; }
out=$1 efi=$2
shift 2
IMAGE_MIB=${IMAGE_MIB:-72}
tmp="$out.tmp"
fail() { echo "mkimage: $*" >&2; rm -f "$tmp"; exit 1; }

mkdir -p "$(dirname "$out")"
rm -f "$tmp"
truncate -s "${IMAGE_MIB}M" "$tmp"
# Never "sgdisk -q": gdisk 1.0.9 then exits 0 without writing a GPT.
sgdisk -n 1:2048:0 -t 1:ef00 -c 1:PLAYGROUND "$tmp" >/dev/null || fail "sgdisk failed"
sectors=$(sgdisk -i 1 "$tmp" | awk '/Partition size/ {print $3}')
[ -n "$sectors" ] || fail "cannot read the partition size"
part="$tmp@@1M"
mformat -i "$part" -T "$sectors" -F -v PLAYGROUND :: || fail "mformat failed"
mmd -i "$part" ::/EFI ::/EFI/BOOT
mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTX64.EFI
for f in "$@"; do
	case $f in
	*.cfg) mcopy -i "$part" "$f" ::/EFI/BOOT/playground.cfg ;;
	*) mcopy -i "$part" "$f" "::/EFI/BOOT/$(basename "$f")" ;;
	esac
done

sgdisk -v "$tmp" | grep -q 'No problems found' || fail "sgdisk -v reports problems"
info=$(minfo -i "$part" ::) || fail "minfo cannot read the file system"
fs_sectors=$(echo "$info" | awk '/big size:/ {print $3}')
[ "$fs_sectors" = "$sectors" ] || fail "file system ($fs_sectors sectors) != partition ($sectors)"
mv "$tmp" "$out"
