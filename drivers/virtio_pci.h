/*
 * Virtio 1.0 over PCI, modern interface only (virtio 1.0 §4.1): the
 * device's structures (common, notify, ISR, device-specific) are found
 * through vendor capabilities and reached in memory BARs, which sit below
 * 4 GiB where the kernel maps device memory uncached. Interrupts are
 * MSI-X (one table entry per device, edge-triggered, to the boot CPU's
 * local APIC), so no line is shared and the handler needs no ISR read.
 *
 * Also here: split virtqueues (§2.4) in identity-mapped DMA memory. The
 * device's side of a ring is untrusted: every id and length it writes is
 * checked by the caller (virtio_pci_queue_next_used reports them raw).
 */
#ifndef UKBPF_VIRTIO_PCI_H
#define UKBPF_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci.h"

#define VIRTIO_PCI_VENDOR		0x1AF4
#define VIRTIO_PCI_MODERN_DEVICE_BASE	0x1040 /* + virtio device ID (§4.1.2.1) */
#define VIRTIO_PCI_TRANSITIONAL_NET	0x1000
#define VIRTIO_PCI_TRANSITIONAL_CONSOLE 0x1003

#define VIRTIO_F_VERSION_1 (1ull << 32)

/* Split-ring layouts (virtio 1.0 §2.4). */
#define VIRTQ_DESC_F_WRITE	   2 /* the device writes this buffer */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY	   1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

struct virtq {
	uint16_t index; /* queue number within the device */
	uint16_t size;	/* entries, a power of two */
	struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t avail_idx;	/* next free avail slot, not yet published */
	uint16_t last_used_idx; /* used entries consumed so far */
	volatile uint16_t *notify;
};

struct virtio_pci {
	struct pci_device pci;
	volatile uint8_t *common; /* struct virtio_pci_common_cfg, §4.1.4.3 */
	volatile uint8_t *notify_base;
	uint32_t notify_off_multiplier;
	volatile uint8_t *device_cfg;
	uint32_t device_cfg_len;
	volatile uint32_t *msix_table;
	uint16_t msix_entries;
};

#define VIRTIO_MSIX_NO_VECTOR 0xFFFF

/*
 * Finds the modern capabilities and MSI-X, enables memory decoding and
 * DMA, and resets the device. 0, or -ENODEV (not a modern virtio device,
 * or a structure outside a mapped memory BAR) with why set to a message.
 */
int virtio_pci_init(struct virtio_pci *vp, const struct pci_device *pci, const char **why);

/*
 * ACKNOWLEDGE, DRIVER, then offers wanted & what the device has. 0, or
 * -ENOTSUP when a feature in required is missing or the device refuses
 * FEATURES_OK (the device is then marked FAILED).
 */
int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted, uint64_t required);

/*
 * Allocates and zeroes ring memory for queue index (up to max_size
 * entries, fewer when the device has fewer) and hands it to the device
 * with MSI-X entry msix_entry (VIRTIO_MSIX_NO_VECTOR: none). 0, -ENOENT
 * (no such queue), -ENOMEM, or -EIO when the device refuses the vector.
 */
int virtio_pci_queue_setup(struct virtio_pci *vp, struct virtq *vq, uint16_t index,
			   uint16_t max_size, uint16_t msix_entry);

/* Sets DRIVER_OK: the device may now use its queues. */
void virtio_pci_driver_ok(struct virtio_pci *vp);
/* Marks the device FAILED (§3.1.1) after it misbehaved; it stops using memory. */
void virtio_pci_fail(struct virtio_pci *vp);

/* Programs MSI-X table entry to deliver vector to the boot CPU, and enables MSI-X. */
void virtio_pci_msix_route(struct virtio_pci *vp, uint16_t entry, uint8_t vector);

/* Puts descriptor id in the next avail slot (published by virtq_publish). */
void virtq_push_avail(struct virtq *vq, uint16_t id);
/* Publishes pushed entries and notifies the device unless it opted out. */
void virtq_publish(struct virtq *vq);
/* Used entries the device has added since last consumed (may exceed size if it is broken). */
uint16_t virtq_used_pending(const struct virtq *vq);
/* Next used entry (raw, untrusted); call only while virtq_used_pending > 0. */
struct virtq_used_elem virtq_pop_used(struct virtq *vq);
/*
 * Asks for an interrupt on the next used entry (or none, on false). After
 * enabling, the caller re-checks virtq_used_pending before it halts.
 */
void virtq_set_interrupts(struct virtq *vq, bool enabled);

#endif /* UKBPF_VIRTIO_PCI_H */
