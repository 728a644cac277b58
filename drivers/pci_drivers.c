/*
 * pci_drivers.c - which driver takes which PCI function, tried in this
 * order (drivers/pci.c, attach). A class match takes any vendor's
 * controller of that kind; virtio is matched by its IDs.
 */
#include "drivers/pci.h"

extern const struct pci_driver ahci_driver, nvme_driver, virtio_blk_driver,
	virtio_blk_modern_driver;

const struct pci_driver *const pci_drivers[] = {
	&ahci_driver,
	&nvme_driver,
	&virtio_blk_driver,
	&virtio_blk_modern_driver,
	0,
};
