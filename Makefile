# Paging playground: a UEFI loader, a 32-bit paged kernel, user programs,
# the disk image, and the tests. `make help` lists the targets.

.DEFAULT_GOAL := all
BUILD ?= build

# `make run SHELL=1` asks for the playground shell. SHELL is also the
# variable naming make's own shell, so take the request and put /bin/sh back.
ifeq ($(origin SHELL),command line)
PLAY_SHELL := $(SHELL)
override SHELL := /bin/sh
endif
PG_VERSION := 0.1-$(shell git describe --always --dirty 2>/dev/null || echo dev)
# The two files that print the version rebuild when it changes.
VERSION_STAMP := $(BUILD)/version.stamp
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(PG_VERSION)" ] || \
	echo "$(PG_VERSION)" > $(VERSION_STAMP); })

Q := @
ifeq ($(V),1)
Q :=
endif

# ---------------------------------------------------------------- kernel ---
KCC := gcc
# The kernel's optimization: make debug builds its own with GDB_KOPT (-Og).
KOPT ?= -O2
KCFLAGS := -m32 -std=gnu11 $(KOPT) -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-mno-sse -mno-mmx -mno-80387 -mpreferred-stack-boundary=2 \
	-Wall -Wextra -Werror -Iinclude -Iarch/x86/include -I. \
	-DPG_VERSION='"$(PG_VERSION)"' -MMD -MP
ifeq ($(MM_DEBUG),1)
KCFLAGS += -DMM_DEBUG
endif
KLDFLAGS := -m elf_i386 -T arch/x86/kernel.ld --emit-relocs -nostdlib
LIBGCC32 := $(shell $(KCC) -m32 -print-libgcc-file-name)

KERNEL_SRCS := $(wildcard arch/x86/*.c) \
	$(filter-out arch/x86/trampoline.S,$(wildcard arch/x86/*.S)) \
	$(wildcard core/*.c) $(wildcard core/*/*.c) $(wildcard drivers/*.c) \
	lib/fmt.c lib/config.c lib/elf32.c lib/string.c lib/crc32.c lib/guid.c \
	$(wildcard test/kernel/*.c)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRCS)) $(BUILD)/kernel/user_programs.o \
	$(BUILD)/kernel/scenarios.o
KERNEL_ELF := $(BUILD)/kernel/kernel.elf

$(BUILD)/kernel/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC32    $<"
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS32    $<"
	$(Q)$(KCC) $(KCFLAGS) -D__ASSEMBLER__ -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) arch/x86/kernel.ld
	@echo "  LD32    $@"
	$(Q)ld $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(LIBGCC32)

# ------------------------------------------------------- user programs ---
UCFLAGS := -m32 -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mno-sse -mno-mmx -mno-80387 \
	-Wall -Wextra -Werror -Iinclude -Iuser/include -I. -MMD -MP
ULIB_SRCS := user/lib/crt0.S user/lib/ulib.c lib/fmt.c lib/string.c
ULIB_OBJS := $(patsubst %,$(BUILD)/user/%.o,$(ULIB_SRCS))
USER_PROGS := $(patsubst user/prog/%.c,%,$(wildcard user/prog/*.c))
USER_ELFS := $(patsubst %,$(BUILD)/user/bin/%.elf,$(USER_PROGS))
# The same objects linked again at 0x1000, for Linux 0.11-mode tasks.
USER_ELFS_011 := $(patsubst %,$(BUILD)/user/bin011/%.elf,$(USER_PROGS))

$(BUILD)/user/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CCUSER  $<"
	$(Q)$(KCC) $(UCFLAGS) -c $< -o $@

$(BUILD)/user/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  ASUSER  $<"
	$(Q)$(KCC) $(UCFLAGS) -D__ASSEMBLER__ -c $< -o $@

# Full ELF (with debug info) for gdb; the stripped copy goes into the kernel.
$(BUILD)/user/debug/%.elf: $(BUILD)/user/user/prog/%.c.o $(ULIB_OBJS) user/user.ld
	@mkdir -p $(dir $@)
	@echo "  LDUSER  $@"
	$(Q)ld -m elf_i386 -T user/user.ld -o $@ $< $(ULIB_OBJS) $(LIBGCC32)

$(BUILD)/user/bin/%.elf: $(BUILD)/user/debug/%.elf
	@mkdir -p $(dir $@)
	$(Q)objcopy --strip-debug $< $@

$(BUILD)/user/debug011/%.elf: $(BUILD)/user/user/prog/%.c.o $(ULIB_OBJS) user/user011.ld
	@mkdir -p $(dir $@)
	@echo "  LDUSER  $@"
	$(Q)ld -m elf_i386 -T user/user011.ld -o $@ $< $(ULIB_OBJS) $(LIBGCC32)

$(BUILD)/user/bin011/%.elf: $(BUILD)/user/debug011/%.elf
	@mkdir -p $(dir $@)
	$(Q)objcopy --strip-debug $< $@

$(BUILD)/user/programs.S: $(USER_ELFS) $(USER_ELFS_011) scripts/embed-files.sh
	$(Q)scripts/embed-files.sh $@ .user_programs .elf $(USER_ELFS)
	$(Q)scripts/embed-files.sh $@.011 .user_programs011 .elf $(USER_ELFS_011)
	$(Q)cat $@.011 >> $@ && rm -f $@.011

$(BUILD)/kernel/user_programs.o: $(BUILD)/user/programs.S
	@echo "  EMBED   $(words $(USER_ELFS)) user programs, twice (flat and Linux 0.11 mode)"
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

# The scenario suite (test/scenarios/*.pg) runs from inside the kernel.
SCENARIOS := $(sort $(wildcard test/scenarios/*.pg))
# The list of names, kept in a file that changes only when the list does:
# a scenario renamed (git mv keeps its time) is embedded under its new name.
SCENARIO_LIST := $(BUILD)/kernel/scenarios.list
$(shell mkdir -p $(BUILD)/kernel && { [ "$$(cat $(SCENARIO_LIST) 2>/dev/null)" = "$(SCENARIOS)" ] || \
	echo "$(SCENARIOS)" > $(SCENARIO_LIST); })

$(BUILD)/kernel/scenarios.S: $(SCENARIOS) $(SCENARIO_LIST) scripts/embed-files.sh
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-files.sh $@ .scenarios "" $(SCENARIOS)

$(BUILD)/kernel/scenarios.o: $(BUILD)/kernel/scenarios.S
	@echo "  EMBED   $(words $(SCENARIOS)) scenarios"
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

# Keep intermediate objects (make would delete them and rebuild every time).
.SECONDARY:

# The copy embedded in the loader: symbols and relocations kept, debug info dropped.
$(BUILD)/kernel/kernel.embed.elf: $(KERNEL_ELF)
	$(Q)objcopy --strip-debug $< $@

$(BUILD)/kernel/core/main.c.o $(BUILD)/efi/efi/main.c.o: $(VERSION_STAMP)

# ---------------------------------------------------------------- loader ---
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
ECC := gcc
ECFLAGS := -std=gnu11 -O2 -g -fpic -ffreestanding -fno-stack-protector -fno-stack-check \
	-fshort-wchar -mno-red-zone -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iinclude -I. \
	-Wall -Wextra -Werror -Wno-pointer-sign -DPG_VERSION='"$(PG_VERSION)"' -MMD -MP
ELDFLAGS := -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
	-L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o

LOADER_SRCS := $(wildcard efi/*.c) lib/fmt.c lib/config.c lib/elf32.c lib/guid.c
LOADER_OBJS := $(patsubst %,$(BUILD)/efi/%.o,$(LOADER_SRCS)) \
	$(BUILD)/efi/arch/x86/trampoline.S.o $(BUILD)/efi/efi/kernel_blob.S.o
LOADER_SO := $(BUILD)/efi/loader.so
EFI_APP := $(BUILD)/BOOTX64.EFI

$(BUILD)/efi/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC64    $<"
	$(Q)$(ECC) $(ECFLAGS) -c $< -o $@

$(BUILD)/efi/arch/x86/trampoline.S.o: arch/x86/trampoline.S
	@mkdir -p $(dir $@)
	@echo "  AS64    $<"
	$(Q)$(ECC) -c $< -o $@

$(BUILD)/efi/efi/kernel_blob.S.o: efi/kernel_blob.S $(BUILD)/kernel/kernel.embed.elf
	@mkdir -p $(dir $@)
	@echo "  INCBIN  kernel.elf"
	$(Q)$(ECC) -DKERNEL_ELF='"$(BUILD)/kernel/kernel.embed.elf"' -c $< -o $@

$(LOADER_SO): $(LOADER_OBJS)
	@echo "  LD64    $@"
	$(Q)ld $(ELDFLAGS) -o $@ $(LOADER_OBJS) -lefi -lgnuefi

# The PE gets a .sbat section (efi/sbat.csv with the version filled in): shim,
# the MOK path of docs/real-hardware.md, refuses a second stage without one.
# It goes page-aligned after the last section of loader.so, overlapping neither
# the PE headers nor another section.
SBAT_CSV := $(BUILD)/efi/sbat.csv

$(EFI_APP): $(LOADER_SO) efi/sbat.csv
	@echo "  EFI     $@"
	$(Q)sed 's|@VERSION@|$(PG_VERSION)|' efi/sbat.csv > $(SBAT_CSV)
	$(Q)end=0; for e in $$(objdump -h -w $< | awk '/ALLOC/ { print "0x" $$4 "+0x" $$3 }'); do \
		if [ $$(($$e)) -gt $$end ]; then end=$$(($$e)); fi; done; \
	objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc -j .sbat --add-section .sbat=$(SBAT_CSV) \
		--set-section-flags .sbat=contents,alloc,load,readonly,data \
		--change-section-address .sbat=$$(( (end + 4095) / 4096 * 4096 )) \
		--target efi-app-x86_64 --subsystem=10 $< $@

# ----------------------------------------------------------------- image ---
IMAGE := $(BUILD)/playground.img
CFG ?=
# Our swap partition after the ESP, in MiB (docs/storage.md); 0: none.
# disk/mkimage.sh reads it from the environment (make exports a variable
# given on the command line); the image is made again when it changes.
SWAP ?= 64
SWAP_STAMP := $(BUILD)/swap.stamp
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(SWAP_STAMP) 2>/dev/null)" = "$(SWAP)" ] || \
	echo "$(SWAP)" > $(SWAP_STAMP); })
export SWAP

$(IMAGE): $(EFI_APP) disk/mkimage.sh $(CFG) $(SWAP_STAMP)
	@echo "  IMAGE   $@"
	$(Q)disk/mkimage.sh $@ $(EFI_APP) $(CFG)

# ------------------------------------------------------------ host tests ---
HOST_CC := gcc
HOST_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -DHOST_TEST \
	-Itest/host/sim -Iinclude -Iarch/x86/include -I. -MMD -MP
HOST_TESTS := $(patsubst test/host/%.c,$(BUILD)/host/%,$(wildcard test/host/test_*.c))

$(BUILD)/host/test_config: lib/config.c lib/fmt.c
$(BUILD)/host/test_fmt: lib/fmt.c
$(BUILD)/host/test_elf32: lib/elf32.c
$(BUILD)/host/test_memmap: core/memmap.c lib/fmt.c
$(BUILD)/host/test_highram: core/mm/highram.c core/memmap.c lib/fmt.c
$(BUILD)/host/test_kbd: arch/x86/kbd_map.c
$(BUILD)/host/test_segment: arch/x86/desc.c arch/x86/insn.c
MM_SRCS := $(wildcard core/mm/*.c) core/memmap.c lib/fmt.c test/host/sim/sim.c
$(BUILD)/host/test_mm: $(MM_SRCS)
$(BUILD)/host/test_mm_random: $(MM_SRCS) test/host/mm_ops.c
$(BUILD)/host/test_pmm_map: $(MM_SRCS)
$(BUILD)/host/test_view: $(MM_SRCS) core/fbcon.c core/font8x16.c $(wildcard core/view/*.c)

$(BUILD)/host/%: test/host/%.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^) -lcmocka

# test_blk.c and test_gpt.c #include core/blk/blk.c (and gpt.c), so that
# their state starts afresh in each test; the rest links as usual.
BLK_TEST_SRCS := $(MM_SRCS) test/host/sim/memdisk.c lib/crc32.c lib/guid.c
$(BUILD)/host/test_blk $(BUILD)/host/test_gpt: $(BUILD)/host/%: test/host/%.c $(BLK_TEST_SRCS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(BLK_TEST_SRCS) -lcmocka

# test_pci.c: PCI and the disk drivers on the simulated PC of
# test/host/sim/hwsim.c (its own pci_drivers table, with a fake driver).
PCI_TEST_SRCS := $(MM_SRCS) test/host/sim/memdisk.c test/host/sim/hwsim.c \
	test/host/sim/hwsim_disks.c test/host/sim/hwsim_ahci.c test/host/sim/hwsim_virtio.c \
	test/host/sim/hwsim_nvme.c core/blk/blk.c arch/x86/acpi.c drivers/pci.c drivers/pci_msi.c \
	drivers/dma.c drivers/ahci.c drivers/ahci_port.c drivers/virtio_blk.c drivers/nvme.c
$(BUILD)/host/test_pci: $(PCI_TEST_SRCS)

# test_apic.c #includes the kernel sources it tests (their CPU instructions
# replaced by a simulation), so it compiles alone: its .d file names those
# .c files as prerequisites, which the rule above would compile again.
$(BUILD)/host/test_apic: test/host/test_apic.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< -lcmocka

# ------------------------------------------------------------------ fuzz ---
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -DHOST_TEST \
	-Itest/host/sim -Iinclude -Iarch/x86/include -I.
FUZZ_MM := $(BUILD)/fuzz/fuzz_mm
FUZZ_GPT := $(BUILD)/fuzz/fuzz_gpt

$(FUZZ_MM): test/fuzz/fuzz_mm.c test/host/mm_ops.c $(MM_SRCS)
	@mkdir -p $(dir $@) $(BUILD)/fuzz/corpus
	@echo "  FUZZCC  $@"
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $^

# fuzz_gpt.c #includes core/blk/blk.c and gpt.c, as test_blk.c does. Its
# first seed is a real GPT (sgdisk on a 128 KiB file, made here, never
# kept in git), so the fuzzer starts past the signature and the CRCs.
GPT_SEED := $(BUILD)/fuzz/corpus-gpt/seed
$(FUZZ_GPT): test/fuzz/fuzz_gpt.c $(BLK_TEST_SRCS)
	@mkdir -p $(dir $@) $(BUILD)/fuzz/corpus-gpt
	@echo "  FUZZCC  $@"
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(BLK_TEST_SRCS)
	$(Q)[ -f $(GPT_SEED) ] || { rm -f $(BUILD)/fuzz/seed.img && truncate -s 128K $(BUILD)/fuzz/seed.img && \
		sgdisk -a 8 -n 1:40:+40K -t 1:5F2E10B8-696F-4B47-BF6C-FE8AF08F452A -c 1:playground-swap \
			-n 2:0:+20K -t 2:ef00 $(BUILD)/fuzz/seed.img >/dev/null && \
		{ printf '\000'; head -c 40000 $(BUILD)/fuzz/seed.img; } > $(GPT_SEED); }

# ------------------------------------------------------------------ runs ---
.PHONY: all deps deps-test kernel loader image run debug test test-host test-boot fuzz clean \
	help debug-kernel gdb gdb-build

all: $(EFI_APP)

deps:
	$(Q)scripts/deps.sh

kernel: $(KERNEL_ELF)
loader: $(EFI_APP)
image: $(IMAGE)

# make run: the default suite; SCRIPT=file.pg runs a script; SHELL=1 the shell.
# WATCH=1 turns the live strip on from boot; REPORT=1 asks for the report's
# records and writes $(BUILD)/report.html from the log afterwards (docs/pictures.md).
RUN_CFG := $(BUILD)/run.cfg
run: deps
	$(Q)$(MAKE) --no-print-directory $(EFI_APP)
	$(Q)rm -f $(RUN_CFG)
	$(Q)$(if $(SCRIPT),test -f "$(SCRIPT)" || { echo "make run: no file $(SCRIPT)" >&2; exit 1; })
	$(Q)$(if $(SCRIPT),printf 'script = \\EFI\\BOOT\\%s\n' "$(notdir $(SCRIPT))" >> $(RUN_CFG))
	$(Q)$(if $(PLAY_SHELL),printf 'run = %s\n' "$(if $(SCRIPT),scripts$(comma) )shell" >> $(RUN_CFG))
	$(Q)$(if $(filter 1,$(REPORT)),printf 'report = on\n' >> $(RUN_CFG))
	$(Q)$(if $(filter 1,$(WATCH)),printf 'watch = on\n' >> $(RUN_CFG))
	$(Q)disk/mkimage.sh $(BUILD)/run.img $(EFI_APP) $$(test -f $(RUN_CFG) && echo $(RUN_CFG)) \
		$(SCRIPT)
	$(Q)status=0; scripts/qemu-run $(BUILD)/run.img || status=$$?; \
	$(if $(filter 1,$(REPORT)),$(REPORT_PY) $(BUILD)/last-boot.log -o $(BUILD)/report.html || status=1;) \
	exit $$status
comma := ,

# make report LOG=file: the HTML report of a boot with report = on (make run
# REPORT=1 makes it by itself): one self-contained file, $(BUILD)/report.html.
REPORT_PY := python3 scripts/report/report.py
LOG ?= $(BUILD)/last-boot.log
.PHONY: report pictures
report:
	$(Q)$(REPORT_PY) $(LOG) -o $(BUILD)/report.html

# The screenshots in docs/pictures/ are the ones test/boot/pictures.t took
# (make test, or BUILD=build prove test/boot/pictures.t): this copies them,
# made small. Nothing in docs/pictures/ is drawn by hand.
pictures:
	$(Q)python3 scripts/pictures.py $(BUILD) docs/pictures

# The kernel (or the loader, GDB=loader) waits for gdb: see scripts/gdbinit;
# make gdb, in another terminal, attaches to it. SCRIPT=file.pg runs that
# script instead of the suite, as for run.
GDB ?= kernel
# The kernel make debug boots is built for gdb: with -Og (GDB_KOPT) every
# argument and local stays readable, while gcc 12 at -O2 describes an
# argument passed on the stack only at its function's first instructions.
# Same sources and loader, its own build directory (GDB_BUILD).
GDB_KOPT ?= -Og
GDB_BUILD := $(BUILD)/gdb$(GDB_KOPT)
# make gdb must be given the same choices (qemu-run prints the command).
GDB_HINT := make gdb $(foreach v,BUILD GDB_KOPT,$(if $(filter command line,$(origin $(v))),$(v)=$($(v))))
# Step by step as for run: (under -j, prerequisites would build alongside
# the package install); deps.sh debug also brings gdb.
debug:
	$(Q)scripts/deps.sh debug
	$(Q)$(MAKE) --no-print-directory gdb-build
	$(Q)$(if $(SCRIPT),test -f "$(SCRIPT)" || { echo "make debug: no file $(SCRIPT)" >&2; exit 1; })
	$(Q)printf 'gdb = $(GDB)\nfinish = halt\n' > $(GDB_BUILD)/debug.cfg
	$(Q)$(if $(SCRIPT),printf 'script = \\EFI\\BOOT\\%s\n' "$(notdir $(SCRIPT))" >> $(GDB_BUILD)/debug.cfg)
	$(Q)disk/mkimage.sh $(GDB_BUILD)/debug.img $(GDB_BUILD)/BOOTX64.EFI $(GDB_BUILD)/debug.cfg \
		$(SCRIPT)
	$(Q)scripts/qemu-run --gdb --gdb-hint "$(strip $(GDB_HINT))" $(GDB_BUILD)/debug.img

gdb-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(GDB_BUILD) KOPT=$(GDB_KOPT) all

gdb:
	$(Q)BUILD=$(GDB_BUILD) gdb -x scripts/gdbinit

test: deps-test
	$(Q)$(MAKE) --no-print-directory test-host test-tools test-boot

# make test also wants a browser (test/boot/pictures.t loads the report in
# headless Chromium); make run does not.
deps-test:
	$(Q)scripts/deps.sh test

test-host: $(HOST_TESTS) $(FUZZ_MM) $(FUZZ_GPT)
	$(Q)CMOCKA_MESSAGE_OUTPUT=TAP prove --exec '' $(HOST_TESTS)
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

fuzz: $(FUZZ_MM) $(FUZZ_GPT)
	@echo "  FUZZ    core/mm for $(FUZZ_SECONDS) s"
	$(Q)$(FUZZ_MM) -max_total_time=$(FUZZ_SECONDS) -max_len=3000 -print_final_stats=1 \
		$(BUILD)/fuzz/corpus 2>$(BUILD)/fuzz/log || { tail -40 $(BUILD)/fuzz/log; exit 1; }
	@grep -E "stat::number_of_executed_units|stat::peak_rss" $(BUILD)/fuzz/log | sed 's/^/  /'
	@echo "  FUZZ    the GPT reader for $(FUZZ_SECONDS) s"
	$(Q)$(FUZZ_GPT) -max_total_time=$(FUZZ_SECONDS) -max_len=40000 -print_final_stats=1 \
		$(BUILD)/fuzz/corpus-gpt 2>$(BUILD)/fuzz/log-gpt || { tail -40 $(BUILD)/fuzz/log-gpt; exit 1; }
	@grep -E "stat::number_of_executed_units|stat::peak_rss" $(BUILD)/fuzz/log-gpt | sed 's/^/  /'

# The debug kernel (MM_DEBUG=1) for test/boot/stress-debug.t, in its own build dir.
DEBUG_EFI := $(BUILD)/debug/BOOTX64.EFI
debug-kernel:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/debug MM_DEBUG=1 all

test-boot: $(EFI_APP) debug-kernel gdb-build
	$(Q)BUILD=$(BUILD) GDB_BUILD=$(GDB_BUILD) prove -j2 test/boot/*.t

clean:
	rm -rf $(BUILD)

help:
	@echo "make run      build the disk image and boot it in QEMU (serial on this terminal)"
	@echo "              SCRIPT=f.pg, SHELL=1, WATCH=1 (live strip), REPORT=1 (build/report.html)"
	@echo "make report   LOG=build/last-boot.log: the HTML report of a run with report = on"
	@echo "make pictures copy the pictures the tests made into docs/pictures/ (docs/pictures.md)"
	@echo "make test     host unit tests and boot tests (what CI runs)"
	@echo "make image    build $(IMAGE) (CFG=file puts a playground.cfg on it;"
	@echo "              SWAP=MiB sizes our swap partition, 64 by default, 0 for none)"
	@echo "make debug    boot halted, waiting for gdb (see README); make gdb attaches to it"
	@echo "make fuzz     libFuzzer over core/mm and the GPT reader (FUZZ_SECONDS=60 each)"
	@echo "make clean    remove $(BUILD)/"
	@echo "make usb      list USB sticks; DEV=/dev/sdX writes the image to one (docs/real-hardware.md)"
	@echo "make sign     KEY=key.pem CERT=cert.pem: a Secure Boot signed loader and image"
	@echo "make test-matrix  the full suite on 10 machine configurations (a few minutes)"
	@echo "make bench    fault, fork and exit costs under QEMU -icount (docs/bench.md);"
	@echo "              bench-compare: against Linux; bench-peer: Linux alone;"
	@echo "              bench-scale: RAM sizes, fork modes; bench-policies: FIFO, clock,"
	@echo "              aging, active/inactive against OPT on traced workloads"

# --------------------------------------------------------- real hardware ---
# docs/real-hardware.md. make usb lists the USB sticks; make usb DEV=/dev/sdX
# writes the image to one after scripts/usb-write's checks (FORCE=1 allows a
# non-removable or big USB disk, YES=1 skips the question). The image is made
# afresh, so that it holds exactly CFG (e.g. CFG=disk/report.cfg) or none.
.PHONY: usb test-tools

usb:
ifeq ($(DEV),)
	$(Q)scripts/usb-write --list
else
	$(Q)$(MAKE) --no-print-directory $(if $(filter 1,$(SIGNED)),sign,$(EFI_APP))
	$(if $(filter 1,$(SIGNED)),,$(Q)disk/mkimage.sh $(IMAGE) $(EFI_APP) $(CFG))
	$(Q)scripts/usb-write $(if $(filter 1,$(FORCE)),--force) $(if $(filter 1,$(YES)),--yes) \
		$(if $(filter 1,$(SIGNED)),$(SIGNED_IMAGE),$(IMAGE)) $(DEV)
endif

# make sign KEY=key.pem CERT=cert.pem: BOOTX64.EFI signed for Secure Boot
# (sbsigntool), and a disk image holding it; make usb SIGNED=1 writes that one.
# Signing always runs again: KEY may name another key than last time.
SIGNED_EFI := $(BUILD)/BOOTX64.signed.efi
SIGNED_IMAGE := $(BUILD)/playground.signed.img
.PHONY: sign

sign: $(EFI_APP)
	$(Q)scripts/sign-efi "$(KEY)" "$(CERT)" $(EFI_APP) $(SIGNED_EFI)
	@echo "  IMAGE   $(SIGNED_IMAGE)"
	$(Q)disk/mkimage.sh $(SIGNED_IMAGE) $(SIGNED_EFI) $(CFG)

# The boot matrix: machines, disk attachments, RAM sizes, CPUs, OVMF builds,
# with and without serial, each booting the full suite (test/matrix/*.t).
.PHONY: test-matrix

test-matrix: $(EFI_APP)
	$(Q)BUILD=$(BUILD) prove -j2 --timer test/matrix/*.t

# Host-side checks of the tools: the USB writer and the image format.
test-tools:
	$(Q)prove -j2 test/tools/*.t

# ------------------------------------------------------------ benchmarks ---
# docs/bench.md. make bench: the benchmark under -icount (exact instruction
# counts) and plain TCG, into $(BUILD)/bench.json; bench-compare: side by side
# with the Linux peer (scripts/bench/linux/: Debian's i386 kernel, fetched once
# by apt-get into ~/.cache, booted with our own benchmark as /init);
# bench-peer: the peer alone, twice, into $(BUILD)/linux-peer.json; bench-scale:
# 64 MiB, 512 MiB and 3 GiB, the free list against a mem_map scan
# (MM_SCAN_ALLOC=1, built in $(BUILD)/scan, for comparison only), fork share
# against copy.
BENCH := python3 scripts/bench/bench.py --build $(BUILD)
ifeq ($(MM_SCAN_ALLOC),1)
KCFLAGS += -DMM_SCAN_ALLOC
endif
PEER_FETCH := scripts/bench/linux/fetch-kernel.sh
.PHONY: bench bench-compare bench-peer bench-scale bench-policies

bench: deps $(EFI_APP)
	$(Q)$(BENCH) run

bench-compare: deps $(EFI_APP)
	$(Q)$(PEER_FETCH)
	$(Q)$(BENCH) compare

bench-peer: deps
	$(Q)$(PEER_FETCH)
	$(Q)python3 scripts/bench/linux_peer.py --build $(BUILD) run --repeat

bench-scale: deps $(EFI_APP)
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/scan MM_SCAN_ALLOC=1 all
	$(Q)$(BENCH) scale --scan-build $(BUILD)/scan

# Replacement policies against OPT on the workloads' page-reference traces
# (scripts/bench/policies.py, scripts/pgtrace.py): faults, not time.
bench-policies: deps $(EFI_APP)
	$(Q)python3 scripts/bench/policies.py --build $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
