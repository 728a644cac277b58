/*
 * virtio_blk_hw.h - virtio over PCI, legacy (transitional) interface, and
 * the block device: registers, ring layout and request format by the
 * spec's names.
 *
 * Sources: Virtual I/O Device (VIRTIO) 1.1, 4.1.4.8 (legacy interfaces:
 * the I/O BAR's layout), 2.6 (split virtqueues; 2.6.2 the legacy layout
 * with its 4096-byte alignment), 5.2 (block device). Cross-checked with
 * Linux's include/uapi/linux/virtio_pci.h, virtio_ring.h, virtio_blk.h.
 */
#ifndef DRIVERS_VIRTIO_BLK_HW_H
#define DRIVERS_VIRTIO_BLK_HW_H

#include <stdint.h>

#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_DEV_BLK_TRANSITIONAL 0x1001 /* legacy I/O BAR0 and modern caps */
#define VIRTIO_DEV_BLK_MODERN 0x1042       /* modern only: no I/O BAR */
#define VIRTIO_LEGACY_BAR 0

/* The legacy header in I/O BAR0 (offsets in bytes, sizes as noted). */
#define VIRTIO_PCI_HOST_FEATURES 0  /* u32, read-only */
#define VIRTIO_PCI_GUEST_FEATURES 4 /* u32 */
#define VIRTIO_PCI_QUEUE_PFN 8      /* u32: the ring's address >> 12; 0 stops it */
#define VIRTIO_PCI_QUEUE_NUM 12     /* u16, read-only: the queue's size */
#define VIRTIO_PCI_QUEUE_SEL 14     /* u16 */
#define VIRTIO_PCI_QUEUE_NOTIFY 16  /* u16: write the queue's index */
#define VIRTIO_PCI_STATUS 18        /* u8; writing 0 resets the device */
#define VIRTIO_PCI_ISR 19           /* u8; reading clears it (INTx only) */
#define VIRTIO_MSI_CONFIG_VECTOR 20 /* u16, only while MSI-X is on */
#define VIRTIO_MSI_QUEUE_VECTOR 22  /* u16, for the selected queue */
#define VIRTIO_PCI_CONFIG_OFF(msix) ((msix) ? 24 : 20) /* device config starts here */
#define VIRTIO_MSI_NO_VECTOR 0xFFFFu
#define VIRTIO_PCI_QUEUE_ADDR_SHIFT 12
#define VIRTIO_PCI_VRING_ALIGN 4096 /* the used ring starts on such a boundary */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

/* Block device feature bits (5.2.3), as bit numbers. */
#define VIRTIO_BLK_F_SIZE_MAX 1 /* size_max: the longest segment */
#define VIRTIO_BLK_F_SEG_MAX 2  /* seg_max: segments in one request */
#define VIRTIO_BLK_F_RO 5       /* the device is read-only */
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* Block device config (5.2.4), from VIRTIO_PCI_CONFIG_OFF. */
#define VIRTIO_BLK_CFG_CAPACITY 0 /* u64: 512-byte sectors, whatever blk_size says */
#define VIRTIO_BLK_CFG_SIZE_MAX 8
#define VIRTIO_BLK_CFG_SEG_MAX 12
#define VIRTIO_BLK_SECTOR_SIZE 512

/* Split virtqueue (2.6.5-2.6.8). */
#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u /* the device writes this buffer */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* queue size entries, then used_event */
};

struct vring_used_elem {
	uint32_t id; /* the head descriptor of the chain */
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[]; /* queue size entries, then avail_event */
};

_Static_assert(sizeof(struct vring_desc) == 16, "VIRTIO 1.1, 2.6.5: 16-byte descriptors");
_Static_assert(sizeof(struct vring_used_elem) == 8, "VIRTIO 1.1, 2.6.8: 8-byte used elements");
_Static_assert(sizeof(struct vring_avail) == 4 && sizeof(struct vring_used) == 4,
	       "flags and idx before the rings");

/* Bytes of the legacy layout for a queue of n (2.6.2): descriptors, the
 * available ring (with used_event), padding to VIRTIO_PCI_VRING_ALIGN,
 * the used ring (with avail_event). */
#define VRING_AVAIL_BYTES(n) (4u + 2u * (n) + 2u)
#define VRING_USED_OFFSET(n)                                                         \
	((16u * (n) + VRING_AVAIL_BYTES(n) + VIRTIO_PCI_VRING_ALIGN - 1) &             \
	 ~(VIRTIO_PCI_VRING_ALIGN - 1u))
#define VRING_BYTES(n) (VRING_USED_OFFSET(n) + 4u + 8u * (n) + 2u)
_Static_assert(VRING_BYTES(256) <= 3 * 4096 && VRING_BYTES(256) > 2 * 4096,
	       "a 256-entry legacy queue takes 3 contiguous pages");

/* A block request (5.2.6): this header (device-readable), the data, one
 * status byte (device-writable). */
#define VIRTIO_BLK_T_IN 0u  /* read */
#define VIRTIO_BLK_T_OUT 1u /* write */
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector; /* in 512-byte units */
};

_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "VIRTIO 1.1, 5.2.6: 16-byte header");

#endif
