/*
 * hwsim_virtio.c - a simulated virtio-blk device, legacy interface in I/O
 * BAR0, one split virtqueue, MSI-X (hwsim_disks.h).
 */
#include "hwsim_disks.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/virtio_blk_hw.h"
#include "drivers/pci.h"

/* ======================================================== virtio-blk */

#define SIM_VBLK_QSIZE 256

static int vblk_msix_on(const struct sim_vblk *v)
{
	uint16_t f;

	memcpy(&f, v->dev->cfg + v->dev->msix_cap + PCI_MSIX_FLAGS, 2);
	return (f & PCI_MSIX_FLAGS_ENABLE) != 0;
}

static void vblk_device_reset(struct sim_vblk *v)
{
	v->status = 0;
	v->pfn = 0;
	v->guest_features = 0;
	v->last_avail = 0;
	v->config_vector = v->queue_vector = VIRTIO_MSI_NO_VECTOR;
	v->disk.resets++;
}

/* Serve what the driver made available (VIRTIO 1.1, 2.6). */
static void vblk_notify(struct sim_vblk *v)
{
	uint64_t ring = (uint64_t)v->pfn << VIRTIO_PCI_QUEUE_ADDR_SHIFT;
	uint64_t avail = ring + 16u * v->qsize, used = ring + VRING_USED_OFFSET(v->qsize);
	int any = 0;

	if (!v->pfn || v->disk.hang || !(v->status & VIRTIO_STATUS_DRIVER_OK))
		return;
	for (;;) {
		uint16_t aidx, uidx;
		memcpy(&aidx, hwsim_dma(avail + 2, 2), 2);
		if (v->last_avail == aidx)
			break;
		uint16_t head;
		memcpy(&head, hwsim_dma(avail + 4 + 2 * (v->last_avail % v->qsize), 2), 2);
		v->last_avail++;
		v->disk.commands++;
		struct vring_desc d;
		struct virtio_blk_req_hdr h;
		memcpy(&d, hwsim_dma(ring + 16u * head, 16), 16);
		memcpy(&h, hwsim_dma(d.addr, sizeof h), sizeof h);
		uint64_t at = 0;
		uint32_t total = 0;
		int err = 0, write = h.type == VIRTIO_BLK_T_OUT;
		/* First pass: the data's length, so that the range is checked. */
		struct vring_desc e = d;
		while (e.flags & VRING_DESC_F_NEXT) {
			memcpy(&e, hwsim_dma(ring + 16u * e.next, 16), 16);
			if (e.flags & VRING_DESC_F_NEXT)
				total += e.len;
		}
		uint32_t count = total / SIMDISK_SECTOR;
		e = d;
		while (e.flags & VRING_DESC_F_NEXT) {
			memcpy(&e, hwsim_dma(ring + 16u * e.next, 16), 16);
			if (!(e.flags & VRING_DESC_F_NEXT)) {
				*hwsim_dma(e.addr, 1) = err ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
				break;
			}
			if (!!(e.flags & VRING_DESC_F_WRITE) == write)
				v->disk.violations++; /* a data buffer in the wrong direction */
			if (!err)
				err = simdisk_io(&v->disk, write, h.sector, count, e.addr, at, e.len);
			at += e.len;
		}
		memcpy(&uidx, hwsim_dma(used + 2, 2), 2);
		uint32_t elem[2] = { head, total };
		memcpy(hwsim_dma(used + 4 + 8u * (uidx % v->qsize), 8), elem, 8);
		uidx++;
		memcpy(hwsim_dma(used + 2, 2), &uidx, 2);
		any = 1;
	}
	if (!any)
		return;
	if (!vblk_msix_on(v))
		v->dev->intx++; /* INTx: counted, nobody listens */
	else if (v->queue_vector == 0)
		hwsim_interrupt(v->dev);
}

static uint32_t vblk_read(struct hwsim_dev *d, int bar, uint32_t off, unsigned size)
{
	struct sim_vblk *v = d->model;
	uint32_t cfg = VIRTIO_PCI_CONFIG_OFF(vblk_msix_on(v));

	(void)bar;
	(void)size;
	if (vblk_msix_on(v) && off == VIRTIO_MSI_CONFIG_VECTOR)
		return v->config_vector;
	if (vblk_msix_on(v) && off == VIRTIO_MSI_QUEUE_VECTOR)
		return v->queue_vector;
	if (off >= cfg) {
		uint64_t o = off - cfg;
		if (o == VIRTIO_BLK_CFG_CAPACITY)
			return (uint32_t)v->disk.sectors;
		if (o == VIRTIO_BLK_CFG_CAPACITY + 4)
			return (uint32_t)(v->disk.sectors >> 32);
		if (o == VIRTIO_BLK_CFG_SEG_MAX)
			return SIM_VBLK_QSIZE - 2;
		return 0;
	}
	switch (off) {
	case VIRTIO_PCI_HOST_FEATURES: return v->host_features;
	case VIRTIO_PCI_GUEST_FEATURES: return v->guest_features;
	case VIRTIO_PCI_QUEUE_PFN: return v->pfn;
	case VIRTIO_PCI_QUEUE_NUM: return v->qsel == 0 ? v->qsize : 0;
	case VIRTIO_PCI_STATUS: return v->status;
	default: return 0;
	}
}

static void vblk_write(struct hwsim_dev *d, int bar, uint32_t off, uint32_t val, unsigned size)
{
	struct sim_vblk *v = d->model;

	(void)bar;
	(void)size;
	if (vblk_msix_on(v) && off == VIRTIO_MSI_CONFIG_VECTOR) {
		v->config_vector = (uint16_t)val;
		return;
	}
	if (vblk_msix_on(v) && off == VIRTIO_MSI_QUEUE_VECTOR) {
		v->queue_vector = val < HWSIM_MSIX_ENTRIES ? (uint16_t)val : VIRTIO_MSI_NO_VECTOR;
		return;
	}
	switch (off) {
	case VIRTIO_PCI_GUEST_FEATURES:
		if (val & ~v->host_features)
			v->disk.violations++; /* took a feature it was not offered */
		v->guest_features = val;
		break;
	case VIRTIO_PCI_QUEUE_PFN:
		v->pfn = val;
		v->last_avail = 0;
		break;
	case VIRTIO_PCI_QUEUE_SEL: v->qsel = (uint16_t)val; break;
	case VIRTIO_PCI_QUEUE_NOTIFY: vblk_notify(v); break;
	case VIRTIO_PCI_STATUS:
		if (!val)
			vblk_device_reset(v);
		else
			v->status = (uint8_t)val;
		break;
	default: break;
	}
}

static const struct hwsim_ops vblk_ops = { vblk_read, vblk_write };

struct sim_vblk *sim_vblk_add(uint8_t slot, uint16_t io, uint32_t msix_bar, uint64_t sectors)
{
	struct sim_vblk *v = calloc(1, sizeof *v);

	v->dev = hwsim_add(0, slot, 0, VIRTIO_VENDOR, VIRTIO_DEV_BLK_TRANSITIONAL,
			   PCI_CLASS_CODE(PCI_CLASS_STORAGE, 0, 0));
	v->dev->ops = &vblk_ops;
	v->dev->model = v;
	hwsim_bar(v->dev, VIRTIO_LEGACY_BAR, HWSIM_IO, io, 128);
	hwsim_bar(v->dev, 1, HWSIM_MEM32, msix_bar, 4096);
	hwsim_msix(v->dev, 1, 0);
	simdisk_init(&v->disk, sectors);
	v->qsize = SIM_VBLK_QSIZE;
	v->host_features = 1u << VIRTIO_BLK_F_SEG_MAX;
	v->config_vector = v->queue_vector = VIRTIO_MSI_NO_VECTOR;
	return v;
}

void sim_vblk_free(struct sim_vblk *v)
{
	simdisk_free(&v->disk);
	free(v);
}

