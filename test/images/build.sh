#!/usr/bin/env bash
# build.sh [release] builds the Debian amd64 reference disk images the tests
# customize and boot, and caches them by a hash of this recipe and the release.
# release: bookworm (Debian 12, the default) or trixie (Debian 13).
#
# Output (last line of stdout): the cache directory holding
#   base-efi.{raw,qcow2,vhd,vhdx}   GPT: ESP (/boot/efi) + ext4 root
#   base-bootpart.{raw,qcow2}       GPT: ESP + ext4 /boot + ext4 root
#   timings.txt                     seconds per stage of the build that made it
#
# The recipe is the one measured in liveos-harness.md §2, §5, §6: minbase
# debootstrap, full kernel, dracut (never initramfs-tools), shim + Debian's
# signed GRUB on the removable path, serial console, cloud-init. Needs root,
# loop devices and: debootstrap sfdisk losetup partx mkfs.ext4 mkfs.vfat
# mtools qemu-img blkid flock.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root=${IMAGECUSTOMIZER_IMAGE_CACHE:-/var/cache/packer-plugin-imagecustomizer/images}
suite=${1:-bookworm}
disk_mib=2048 # sparse; leaves room for customization tests
esp_mib=100
boot_mib=256

log() { printf 'build.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# What differs between the releases. The trixie image has no i386-pc GRUB
# modules (no grub-pc-bin), as an image made for UEFI only has none: the ISO
# post-processor then builds its BIOS boot from the host's modules, so the e2e
# boots cover that path too.
case $suite in
bookworm) grub_packages=(grub2-common grub-efi-amd64-bin grub-efi-amd64-signed shim-signed grub-pc-bin) ;;
trixie) grub_packages=(grub2-common grub-efi-amd64-bin grub-efi-amd64-signed shim-signed) ;;
*) die "build images: unknown release $suite (want bookworm or trixie)" ;;
esac

# The mirror is whatever the host's apt uses, so the build works wherever
# apt works (liveos-harness §1). The file is copied into the image too.
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
	sources=/etc/apt/sources.list.d/debian.sources
	mirror=$(awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }' "$sources")
elif [[ -f /etc/apt/sources.list ]]; then
	sources=/etc/apt/sources.list
	mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$sources")
else
	die "find apt sources: neither /etc/apt/sources.list.d/debian.sources nor /etc/apt/sources.list exists"
fi
[[ -n "$mirror" ]] || die "read the Debian mirror from $sources: no URI found"

# The image's apt sources are the host's with the host's release name replaced
# (bookworm-security becomes trixie-security, and so on).
host_codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n "$host_codename" ]] || die "read the host's release name from /etc/os-release: VERSION_CODENAME is empty"
image_sources=$(sed -E "s/\b$host_codename\b/$suite/g" "$sources")

hash=$( { cat "$here/build.sh"; printf '%s\n' "$image_sources" "release $suite"; } | sha256sum | cut -c1-16)
out="$cache_root/$hash"

mkdir -p "$cache_root"
# One build at a time per cache: parallel test processes wait here.
exec 9>"$cache_root/.lock"
flock 9
if [[ -f "$out/.complete" ]]; then
	log "reusing $out"
	echo "$out"
	exit 0
fi

for tool in debootstrap sfdisk losetup partx mkfs.ext4 mkfs.vfat mmd mcopy qemu-img blkid chroot; do
	command -v "$tool" >/dev/null || die "find $tool: not installed"
done
[[ $(id -u) -eq 0 ]] || die "build images: must run as root (debootstrap, loop devices, mounts)"

work=$(mktemp -d "$cache_root/.build.XXXXXX")

# Teardown stack: every mount and loop device pushes its undo command;
# on exit they run last-in first-out.
undo=()
push() { # push <argv...>: quoted, so eval in teardown reads it back as is
	local q
	printf -v q '%q ' "$@"
	undo+=("$q")
}
teardown() {
	local rc=$? i
	for ((i = ${#undo[@]} - 1; i >= 0; i--)); do
		eval "${undo[i]}" || log "teardown failed: ${undo[i]}"
	done
	undo=()
	# Never delete through a mount that is still there (it could be /dev).
	if findmnt -rno TARGET | grep -qF "$work"; then
		log "error: mounts left under $work; not removing it"
		findmnt -rno TARGET | grep -F "$work" >&2
		exit 1
	fi
	rm -rf --one-file-system "$work"
	exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

timings="$work/out/timings.txt"
mkdir -p "$work/out"
stage() {
	local name=$1 t0 t1
	shift
	log "stage $name"
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-24s %6.1f s\n", n, b - a }' >>"$timings"
}

do_mount() { # do_mount <mount args...> <target>
	mount "$@"
	push umount "${*: -1}"
}

tree="$work/tree"

debootstrap_tree() {
	debootstrap --variant=minbase "$suite" "$tree" "$mirror" >&2
}

chroot_bind() { # chroot_bind <root>: /proc /sys /dev /dev/pts for apt
	local r=$1
	do_mount -t proc proc "$r/proc"
	do_mount -t sysfs sysfs "$r/sys"
	do_mount --bind /dev "$r/dev"
	do_mount --bind /dev/pts "$r/dev/pts"
}

unwind_to() { # unwind_to <n>: run undo entries above index n
	local n=$1 i
	for ((i = ${#undo[@]} - 1; i >= n; i--)); do
		eval "${undo[i]}"
		unset 'undo[i]'
	done
}

install_packages() {
	local mark=${#undo[@]}
	# No daemons start inside the chroot (policy-rc.d(8): 101 = forbidden).
	printf '#!/bin/sh\nexit 101\n' >"$tree/usr/sbin/policy-rc.d"
	chmod 755 "$tree/usr/sbin/policy-rc.d"
	# Keep the image small: no docs, man pages or translations.
	cat >"$tree/etc/dpkg/dpkg.cfg.d/01-imagecustomizer-nodoc" <<-'EOF'
		path-exclude=/usr/share/doc/*
		path-include=/usr/share/doc/*/copyright
		path-exclude=/usr/share/man/*
		path-exclude=/usr/share/info/*
		path-exclude=/usr/share/locale/*
		path-include=/usr/share/locale/locale.alias
	EOF
	# The full kernel, less module trees no boot of ours needs (graphics, sound, cameras,
	# radios, InfiniBand, staging): storage, USB, AHCI, NVMe and network drivers stay.
	cat >"$tree/etc/dpkg/dpkg.cfg.d/02-imagecustomizer-slim-kernel" <<-'EOF'
		path-exclude=/lib/modules/*/kernel/drivers/gpu/*
		path-exclude=/lib/modules/*/kernel/drivers/media/*
		path-exclude=/lib/modules/*/kernel/drivers/net/wireless/*
		path-exclude=/lib/modules/*/kernel/drivers/infiniband/*
		path-exclude=/lib/modules/*/kernel/drivers/staging/*
		path-exclude=/lib/modules/*/kernel/drivers/bluetooth/*
		path-exclude=/lib/modules/*/kernel/net/bluetooth/*
		path-exclude=/lib/modules/*/kernel/sound/*
		path-exclude=/usr/lib/modules/*/kernel/drivers/gpu/*
		path-exclude=/usr/lib/modules/*/kernel/drivers/media/*
		path-exclude=/usr/lib/modules/*/kernel/drivers/net/wireless/*
		path-exclude=/usr/lib/modules/*/kernel/drivers/infiniband/*
		path-exclude=/usr/lib/modules/*/kernel/drivers/staging/*
		path-exclude=/usr/lib/modules/*/kernel/drivers/bluetooth/*
		path-exclude=/usr/lib/modules/*/kernel/net/bluetooth/*
		path-exclude=/usr/lib/modules/*/kernel/sound/*
	EOF
	# Generic initrd (the chroot is not the machine it boots on) in zstd:
	# Debian's gzip -9 default doubled the kernel postinst time (§6.2).
	mkdir -p "$tree/etc/dracut.conf.d"
	printf 'hostonly="no"\ncompress="zstd"\n' >"$tree/etc/dracut.conf.d/10-imagecustomizer.conf"
	rm -f "$tree/etc/apt/sources.list"
	printf '%s\n' "$image_sources" >"$tree/etc/apt/sources.list.d/$(basename "$sources")"
	chroot_bind "$tree"
	local apt=(chroot "$tree" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
		apt-get -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	"${apt[@]}" update >&2
	# dracut first so the kernel's postinst builds its initrd with dracut.
	"${apt[@]}" install systemd-sysv udev kmod zstd dracut dracut-live e2fsprogs iproute2 >&2
	# The full kernel, not the cloud one: Debian's cloud kernel has no USB support at all
	# (CONFIG_USB_SUPPORT is not set) and no AHCI, so a live ISO on a USB stick, or on q35's
	# default CD controller, could never find its media.
	"${apt[@]}" install linux-image-amd64 >&2
	"${apt[@]}" install "${grub_packages[@]}" >&2
	# openssh-server and sudo: other builders' pipelines reach the booted image over SSH as
	# a user that cloud-init creates with passwordless sudo.
	"${apt[@]}" install cloud-init isc-dhcp-client openssh-server sudo >&2
	if chroot "$tree" dpkg-query -W -f '${Status}' initramfs-tools 2>/dev/null | grep -qx 'install ok installed'; then
		die "install packages: initramfs-tools got installed; dracut must build the initrd"
	fi
	"${apt[@]}" clean >&2
	echo root:imagecustomizer | chroot "$tree" chpasswd
	unwind_to "$mark"

	cat >"$tree/etc/default/grub" <<-'EOF'
		GRUB_DEFAULT=0
		GRUB_TIMEOUT=1
		GRUB_DISTRIBUTOR=Debian
		GRUB_CMDLINE_LINUX_DEFAULT=""
		GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200"
		GRUB_TERMINAL="console serial"
		GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
		GRUB_DISABLE_OS_PROBER=true
	EOF
	echo debian >"$tree/etc/hostname"
	: >"$tree/etc/machine-id"
	rm -f "$tree/var/lib/dbus/machine-id" "$tree/usr/sbin/policy-rc.d"
	rm -rf "$tree"/var/lib/apt/lists/* "$tree"/var/cache/apt/*.bin "$tree"/var/cache/apt/archives/*.deb \
		"$tree"/usr/share/doc/*/[!c]* "$tree"/usr/share/man/* "$tree"/usr/share/info/* \
		"$tree"/var/log/*.log "$tree"/var/log/apt/* "$tree"/tmp/*
	find "$tree/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
	du -sm "$tree" | awk '{print "tree size: " $1 " MiB"}' >&2
}

# make_disk <variant>: a GPT raw disk from the tree. Variant "efi" has an
# ESP and a root partition; "bootpart" adds a separate /boot.
make_disk() {
	local variant=$1 raw="$work/out/base-$1.raw" mnt="$work/mnt-$1" mark=${#undo[@]}
	local esp_type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
	local root_type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709 # x86-64 root (UAPI DPS)
	local data_type=0FC63DAF-8483-4772-8E79-3D69D8477DE4 # Linux filesystem data
	local mib=2048 # sectors per MiB
	truncate -s "${disk_mib}M" "$raw"
	{
		echo "label: gpt"
		echo "start=$mib, size=$((esp_mib * mib)), type=$esp_type, name=esp"
		if [[ $variant == bootpart ]]; then
			echo "size=$((boot_mib * mib)), type=$data_type, name=boot"
		fi
		echo "type=$root_type, name=root"
	} | sfdisk -q "$raw" >&2

	local loop
	loop=$(losetup --find --show --partscan "$raw")
	push losetup -d "$loop"
	local n=2
	[[ $variant == bootpart ]] && n=3
	# Partition nodes appear asynchronously; without udev, partx adds them.
	local i
	for ((i = 0; i < 20; i++)); do
		[[ -b ${loop}p$n ]] && break
		sleep 0.1
	done
	[[ -b ${loop}p$n ]] || partx -a "$loop"
	[[ -b ${loop}p$n ]] || die "attach $raw: partition ${loop}p$n did not appear"
	local esp_dev=${loop}p1 root_dev=${loop}p$n boot_dev=${loop}p2

	mkfs.ext4 -q -L root "$root_dev"
	mkdir -p "$mnt"
	do_mount "$root_dev" "$mnt"
	if [[ $variant == bootpart ]]; then
		mkfs.ext4 -q -L boot "$boot_dev"
		mkdir -p "$mnt/boot"
		do_mount "$boot_dev" "$mnt/boot"
	fi
	cp -a "$tree/." "$mnt/"

	# The kernel here cannot mount vfat: the ESP is an image file made with
	# mkfs.vfat and filled with mtools, copied onto its partition at the end.
	local esp="$work/esp-$variant.img"
	mkfs.vfat -C -F 32 -n ESP "$esp" $((esp_mib * 1024)) >&2
	local esp_uuid root_uuid boot_uuid grub_uuid grub_prefix=/boot/grub
	esp_uuid=$(blkid -s UUID -o value "$esp")
	root_uuid=$(blkid -s UUID -o value "$root_dev")
	grub_uuid=$root_uuid
	{
		echo "UUID=$root_uuid / ext4 errors=remount-ro 0 1"
		if [[ $variant == bootpart ]]; then
			boot_uuid=$(blkid -s UUID -o value "$boot_dev")
			grub_uuid=$boot_uuid
			grub_prefix=/grub
			echo "UUID=$boot_uuid /boot ext4 defaults 0 2"
		fi
		echo "UUID=$esp_uuid /boot/efi vfat umask=0077 0 1"
	} >"$mnt/etc/fstab"
	mkdir -p "$mnt/boot/efi" "$mnt/boot/grub"

	# update-grub (grub-mkconfig) writes root=UUID= only when
	# /dev/disk/by-uuid/<uuid> exists; this host has no udev, so the chroot
	# gets a private /dev holding just what grub-probe needs.
	local mark2=${#undo[@]}
	do_mount -t proc proc "$mnt/proc"
	do_mount -t sysfs sysfs "$mnt/sys"
	do_mount -t tmpfs -o mode=755 devtmp "$mnt/dev"
	cp -a /dev/null /dev/zero /dev/urandom /dev/random "$loop" "${loop}"p* "$mnt/dev/"
	mkdir -p "$mnt/dev/disk/by-uuid"
	ln -s "../../$(basename "$root_dev")" "$mnt/dev/disk/by-uuid/$root_uuid"
	if [[ $variant == bootpart ]]; then
		ln -s "../../$(basename "$boot_dev")" "$mnt/dev/disk/by-uuid/$boot_uuid"
	fi
	chroot "$mnt" update-grub >&2
	grep -q "root=UUID=$root_uuid" "$mnt/boot/grub/grub.cfg" ||
		die "generate $mnt/boot/grub/grub.cfg: kernel root is not UUID=$root_uuid"
	unwind_to "$mark2"

	# Removable-path shim chain (UEFI 2.x §3.5.1.1) plus the Debian path.
	# No fbx64.efi: with it shim resets the VM on every fresh NVRAM (§6.9).
	local stub="$work/grub-stub-$variant.cfg"
	printf 'search.fs_uuid %s root\nset prefix=($root)%s\nconfigfile $prefix/grub.cfg\n' \
		"$grub_uuid" "'$grub_prefix'" >"$stub"
	local shim="$mnt/usr/lib/shim/shimx64.efi.signed" mm="$mnt/usr/lib/shim/mmx64.efi.signed"
	local grub="$mnt/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"
	mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/debian
	mcopy -i "$esp" "$shim" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$esp" "$grub" ::/EFI/BOOT/grubx64.efi
	mcopy -i "$esp" "$mm" ::/EFI/BOOT/mmx64.efi
	mcopy -i "$esp" "$shim" ::/EFI/debian/shimx64.efi
	mcopy -i "$esp" "$grub" ::/EFI/debian/grubx64.efi
	mcopy -i "$esp" "$mm" ::/EFI/debian/mmx64.efi
	mcopy -i "$esp" "$stub" ::/EFI/debian/grub.cfg
	dd if="$esp" of="$esp_dev" bs=1M conv=sparse,fsync status=none
	rm -f "$esp"

	unwind_to "$mark"
}

convert() { # convert <variant> <formats...>
	local v=$1 f
	shift
	for f in "$@"; do
		case $f in
		qcow2) qemu-img convert -O qcow2 "$work/out/base-$v.raw" "$work/out/base-$v.qcow2" ;;
		vhd) qemu-img convert -O vpc -o subformat=fixed,force_size=on "$work/out/base-$v.raw" "$work/out/base-$v.vhd" ;;
		vhdx) qemu-img convert -O vhdx "$work/out/base-$v.raw" "$work/out/base-$v.vhdx" ;;
		esac
	done
}

start=$(date +%s)
stage debootstrap debootstrap_tree
stage packages install_packages
stage disk-efi make_disk efi
stage disk-bootpart make_disk bootpart
stage convert-efi convert efi qcow2 vhd vhdx
stage convert-bootpart convert bootpart qcow2
printf '%-24s %6d s\n' total "$(($(date +%s) - start))" >>"$timings"
printf 'release %s\nmirror %s\nsources %s\n' "$suite" "$mirror" "$sources" >"$work/out/recipe.txt"
touch "$work/out/.complete"

rm -rf "$out" # a partial directory from an interrupted older run
mv "$work/out" "$out"
log "built $out"
cat "$out/timings.txt" >&2
echo "$out"
