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
# After the ESP comes our swap partition (docs/storage.md): SWAP MiB
# (default 64; SWAP=0 leaves it out) with our own type GUID and name, the
# only partition the kernel ever writes to.
# The result is checked before it is kept (a bad image never leaves this
# script): sgdisk -v finds no problem, partition 1 is an ESP at 1 MiB, and
# minfo shows FAT32 with at least 65525 clusters, mirrored FATs, version
# 0, and exactly the partition's size; partition 2, when asked for, has
# our type, our name and SWAP MiB. IMAGE_MIB (default 72) sets the ESP's
# share, the ESP ending at IMAGE_MIB MiB (the whole disk with SWAP=0);
# below 64 MiB FAT32 cannot have enough clusters.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OUT.img BOOTX64.EFI [playground.cfg] [script.pg ...]" >&2; exit 2; }
out=$1 efi=$2
shift 2
IMAGE_MIB=${IMAGE_MIB:-72}
SWAP=${SWAP:-64}
MIN_MIB=64              # FAT32 needs 65525 clusters: 32 MiB of them at 512 bytes, more at 1 KiB
SWAP_MAX_MIB=65536      # 64 GiB: far more than 32-bit paging can use, a bound on a typo
SWAP_TYPE=5F2E10B8-696F-4B47-BF6C-FE8AF08F452A # ours: core/blk/gpt.h, docs/storage.md
SWAP_NAME=playground-swap
GPT_BACKUP_MIB=1        # room after the swap partition for the backup GPT (33 sectors)
FAT32_MIN_CLUSTERS=65525 # fewer and the FAT type is FAT16 by definition; edk2 refuses the volume
ESP_GUID=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
PART_START=2048         # sectors: the 1 MiB offset that "@@1M" below relies on
FAT_NO_MIRROR=128       # bit 7 of the FAT32 extended flags: only one FAT is active
tmp="$out.tmp"
fail() { echo "mkimage: $*" >&2; rm -f "$tmp"; exit 1; }

case $IMAGE_MIB in
''|*[!0-9]*) fail "IMAGE_MIB=$IMAGE_MIB is not a number of MiB" ;;
esac
[ "$IMAGE_MIB" -ge "$MIN_MIB" ] || fail "IMAGE_MIB=$IMAGE_MIB: at least $MIN_MIB MiB (FAT32 needs $FAT32_MIN_CLUSTERS clusters)"
case $SWAP in
''|*[!0-9]*) fail "SWAP=$SWAP is not a number of MiB (0 for no swap partition)" ;;
esac
[ "$SWAP" -le "$SWAP_MAX_MIB" ] || fail "SWAP=$SWAP: at most $SWAP_MAX_MIB MiB"
[ -f "$efi" ] || fail "no such file: $efi"

# minfo_field TEXT LABEL: the value after "LABEL" in minfo's output.
minfo_field() { echo "$1" | sed -n "s/^$2[=:] *//p" | head -1; }

# verify_gpt IMAGE: one ESP at PART_START, a GPT without problems.
verify_gpt() {
	sgdisk -v "$1" | grep -q 'No problems found' || fail "sgdisk -v reports problems"
	info=$(sgdisk -i 1 "$1")
	echo "$info" | grep -q "GUID code: $ESP_GUID" || fail "partition 1 is not an EFI System Partition"
	echo "$info" | grep -q "^First sector: $PART_START " || fail "partition 1 does not start at sector $PART_START"
	info=$(sgdisk -i 2 "$1")
	if [ "$SWAP" -eq 0 ]; then
		echo "$info" | grep -q "GUID code:" && fail "a partition 2 with SWAP=0"
		return 0
	fi
	echo "$info" | grep -q "GUID code: $SWAP_TYPE" || fail "partition 2 does not have our swap type $SWAP_TYPE"
	echo "$info" | grep -q "^Partition name: '$SWAP_NAME'" || fail "partition 2 is not named $SWAP_NAME"
	echo "$info" | grep -q "^Partition size: $((SWAP * 2048)) sectors" || fail "partition 2 is not $SWAP MiB"
}

# verify_fat PART SECTORS: FAT32 as edk2 accepts it, filling the partition.
verify_fat() {
	info=$(minfo -i "$1" ::) || fail "minfo cannot read the file system"
	type=$(minfo_field "$info" 'disk type' | tr -d '" ')
	total=$(minfo_field "$info" 'big size' | awk '{print $1}')
	reserved=$(minfo_field "$info" 'reserved (boot) sectors')
	fats=$(minfo_field "$info" 'fats')
	fatlen=$(minfo_field "$info" 'Big fatlen')
	per_cluster=$(minfo_field "$info" 'cluster size' | awk '{print $1}')
	flags=$(minfo_field "$info" 'Extended flags')
	version=$(minfo_field "$info" 'FS version')
	[ "$type" = FAT32 ] || fail "file system is '$type', not FAT32"
	for v in "$total" "$reserved" "$fats" "$fatlen" "$per_cluster" "$flags" "$version"; do
		[ -n "$v" ] || fail "cannot read the FAT32 geometry from minfo"
	done
	[ "$total" = "$2" ] || fail "file system ($total sectors) != partition ($2)"
	clusters=$(( (total - reserved - fats * fatlen) / per_cluster ))
	[ "$clusters" -ge "$FAT32_MIN_CLUSTERS" ] ||
		fail "FAT32 with $clusters clusters: edk2 needs $FAT32_MIN_CLUSTERS or more (raise IMAGE_MIB)"
	[ $(( flags & FAT_NO_MIRROR )) -eq 0 ] || fail "FAT mirroring is off (extended flags $flags)"
	[ $(( version )) -eq 0 ] || fail "FAT32 version $version: edk2 accepts 0 only"
}

mkdir -p "$(dirname "$out")"
rm -f "$tmp"
# Never "sgdisk -q": gdisk 1.0.9 then exits 0 without writing a GPT.
if [ "$SWAP" -eq 0 ]; then
	truncate -s "${IMAGE_MIB}M" "$tmp"
	sgdisk -n "1:$PART_START:0" -t 1:ef00 -c 1:PLAYGROUND "$tmp" >/dev/null || fail "sgdisk failed"
else
	truncate -s "$((IMAGE_MIB + SWAP + GPT_BACKUP_MIB))M" "$tmp"
	esp_end=$((IMAGE_MIB * 2048 - 1))
	sgdisk -n "1:$PART_START:$esp_end" -t 1:ef00 -c 1:PLAYGROUND \
		-n "2:$((esp_end + 1)):+${SWAP}M" -t "2:$SWAP_TYPE" -c "2:$SWAP_NAME" \
		"$tmp" >/dev/null || fail "sgdisk failed"
fi
sectors=$(sgdisk -i 1 "$tmp" | awk '/Partition size/ {print $3}')
[ -n "$sectors" ] || fail "cannot read the partition size"
part="$tmp@@1M"
mformat -i "$part" -T "$sectors" -F -v PLAYGROUND :: || fail "mformat failed"
mmd -i "$part" ::/EFI ::/EFI/BOOT || fail "mmd failed"
mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTX64.EFI || fail "cannot copy $efi"
for f in "$@"; do
	case $f in
	*.cfg) mcopy -i "$part" "$f" ::/EFI/BOOT/playground.cfg || fail "cannot copy $f" ;;
	*) mcopy -i "$part" "$f" "::/EFI/BOOT/$(basename "$f")" || fail "cannot copy $f" ;;
	esac
done

verify_gpt "$tmp"
verify_fat "$part" "$sectors"
mv "$tmp" "$out"
