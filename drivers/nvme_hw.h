/*
 * nvme_hw.h - NVM Express registers, queue entries, and the admin and
 * I/O commands a disk driver sends, by the spec's names.
 *
 * Sources: NVM Express Base Specification 1.4, 3.1 (controller
 * registers), 4.2-4.6 (queue entries, PRPs), 5.3-5.4 (Create I/O CQ and
 * SQ), 5.15 (Identify: controller 5-1 and namespace 5-2 structures),
 * 5.21.1.7 (Number of Queues), 6.9 and 6.15 (Read, Write). Cross-checked
 * with coreboot's depthcharge nvme.h and QEMU's include/block/nvme.h.
 */
#ifndef DRIVERS_NVME_HW_H
#define DRIVERS_NVME_HW_H

#include <stdint.h>

#define NVME_BAR 0 /* registers and doorbells: BAR0 (64-bit) */

/* Controller registers (3.1). 64-bit ones are read as two dwords. */
#define NVME_REG_CAP 0x00  /* 64-bit */
#define NVME_REG_VS 0x08
#define NVME_REG_INTMS 0x0C
#define NVME_REG_INTMC 0x10
#define NVME_REG_CC 0x14
#define NVME_REG_CSTS 0x1C
#define NVME_REG_AQA 0x24
#define NVME_REG_ASQ 0x28  /* 64-bit */
#define NVME_REG_ACQ 0x30  /* 64-bit */
#define NVME_REG_DBS 0x1000 /* doorbells, 4 << CAP.DSTRD bytes apart */
#define NVME_REGS_BYTES 0x1000

#define NVME_CAP_MQES(cap) ((uint32_t)((cap)&0xFFFF) + 1) /* entries per queue */
#define NVME_CAP_CQR (1ull << 16)                         /* queues contiguous */
#define NVME_CAP_TO_MS(cap) (500u * (uint32_t)(((cap) >> 24) & 0xFF))
#define NVME_CAP_DSTRD(cap) ((uint32_t)((cap) >> 32) & 0xF)
#define NVME_CAP_CSS_NVM (1ull << 37)                     /* the NVM command set */
#define NVME_CAP_MPSMIN(cap) ((uint32_t)((cap) >> 48) & 0xF) /* 2^(12 + n) bytes */

#define NVME_CC_EN (1u << 0)
#define NVME_CC_CSS_NVM (0u << 4)
#define NVME_CC_MPS(shift) ((uint32_t)((shift)-12) << 7) /* page size 2^shift */
#define NVME_CC_AMS_RR (0u << 11)
#define NVME_CC_SHN_MASK (3u << 14)
#define NVME_CC_IOSQES(n) ((uint32_t)(n) << 16) /* 2^n bytes per SQ entry */
#define NVME_CC_IOCQES(n) ((uint32_t)(n) << 20) /* 2^n bytes per CQ entry */
#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1) /* controller fatal status */
#define NVME_AQA(sq, cq) (((uint32_t)(cq)-1) << 16 | ((uint32_t)(sq)-1))

/* Submission queue entry (4.2): 64 bytes. */
struct nvme_sqe {
	uint8_t opcode, flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/* Completion queue entry (4.6): 16 bytes. */
struct nvme_cqe {
	uint32_t result; /* command specific */
	uint32_t reserved;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status; /* P bit 0, SC bits 8:1, SCT bits 11:9, DNR bit 15 */
};
#define NVME_CQE_PHASE 0x1u
#define NVME_CQE_SC(s) (((s) >> 1) & 0xFFu)
#define NVME_CQE_SCT(s) (((s) >> 9) & 0x7u)
#define NVME_SQE_SIZE_SHIFT 6 /* 64 bytes */
#define NVME_CQE_SIZE_SHIFT 4 /* 16 bytes */

_Static_assert(sizeof(struct nvme_sqe) == 1 << NVME_SQE_SIZE_SHIFT, "NVMe 1.4, 4.2: 64 bytes");
_Static_assert(sizeof(struct nvme_cqe) == 1 << NVME_CQE_SIZE_SHIFT, "NVMe 1.4, 4.6: 16 bytes");

/* Admin commands (5). */
#define NVME_ADMIN_CREATE_SQ 0x01
#define NVME_ADMIN_CREATE_CQ 0x05
#define NVME_ADMIN_IDENTIFY 0x06
#define NVME_ADMIN_SET_FEATURES 0x09
#define NVME_CNS_NAMESPACE 0x00
#define NVME_CNS_CONTROLLER 0x01
#define NVME_FEAT_NUM_QUEUES 0x07
#define NVME_QUEUE_PC (1u << 0)  /* physically contiguous */
#define NVME_CQ_IEN (1u << 1)    /* interrupts enabled */
#define NVME_CQ_IV(v) ((uint32_t)(v) << 16)
#define NVME_SQ_CQID(q) ((uint32_t)(q) << 16)
#define NVME_QUEUE_SIZE_QID(size, qid) (((uint32_t)(size)-1) << 16 | (qid))

/* NVM commands (6). */
#define NVME_CMD_WRITE 0x01
#define NVME_CMD_READ 0x02

/* Identify Controller (figure 247) and Namespace (figure 249) fields. */
#define NVME_ID_CTRL_SN 4     /* 20 ASCII bytes */
#define NVME_ID_CTRL_MN 24    /* 40 ASCII bytes */
#define NVME_ID_CTRL_MDTS 77  /* max transfer: 2^n minimum pages; 0: no limit */
#define NVME_ID_CTRL_NN 516   /* u32: namespaces */
#define NVME_ID_NS_NSZE 0     /* u64: blocks */
#define NVME_ID_NS_FLBAS 26   /* bits 3:0: the LBA format in use */
#define NVME_ID_NS_LBAF 128   /* 16 formats of 4 bytes: LBADS in bits 23:16 */
#define NVME_LBAF_LBADS(f) (((f) >> 16) & 0xFFu)

/* Status codes seen on I/O errors (4.6.1.2): generic and media errors. */
#define NVME_SCT_GENERIC 0
#define NVME_SCT_MEDIA 2

#endif
