#include "virtio_pci.h"

#include <errno.h>
#include <string.h>

#include "memory.h"
#include "paging.h"

/* Vendor capability (virtio 1.0 §4.1.4): cfg_type and where it points. */
#define VIRTIO_CAP_CFG_TYPE	     3
#define VIRTIO_CAP_BAR		     4
#define VIRTIO_CAP_OFFSET	     8
#define VIRTIO_CAP_LENGTH	     12
#define VIRTIO_CAP_NOTIFY_MULTIPLIER 16
#define VIRTIO_PCI_CAP_COMMON_CFG    1
#define VIRTIO_PCI_CAP_NOTIFY_CFG    2
#define VIRTIO_PCI_CAP_DEVICE_CFG    4

/* struct virtio_pci_common_cfg field offsets (§4.1.4.3). */
#define COMMON_DEVICE_FEATURE_SELECT 0
#define COMMON_DEVICE_FEATURE	     4
#define COMMON_DRIVER_FEATURE_SELECT 8
#define COMMON_DRIVER_FEATURE	     12
#define COMMON_MSIX_CONFIG	     16
#define COMMON_DEVICE_STATUS	     20
#define COMMON_QUEUE_SELECT	     22
#define COMMON_QUEUE_SIZE	     24
#define COMMON_QUEUE_MSIX_VECTOR     26
#define COMMON_QUEUE_ENABLE	     28
#define COMMON_QUEUE_NOTIFY_OFF	     30
#define COMMON_QUEUE_DESC	     32
#define COMMON_QUEUE_DRIVER	     40
#define COMMON_QUEUE_DEVICE	     48
#define COMMON_CFG_MIN_LENGTH	     56

/* Device status bits (§2.1). */
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER	   2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED	   128
#define RESET_POLL_LIMIT   1000000

/* MSI-X capability and table (PCI Local Bus 3.0 §6.8.2). */
#define MSIX_MESSAGE_CONTROL	     2
#define MSIX_TABLE_LOCATION	     4
#define MSIX_CONTROL_TABLE_SIZE_MASK 0x7FF
#define MSIX_CONTROL_ENABLE	     (1u << 15)
#define MSIX_BIR_MASK		     0x7u
#define MSIX_ENTRY_WORDS	     4
#define MSIX_ENTRY_ADDR_LO	     0
#define MSIX_ENTRY_ADDR_HI	     1
#define MSIX_ENTRY_DATA		     2
#define MSIX_ENTRY_VECTOR_CONTROL    3
/* SDM Vol. 3 §11.11.1: fixed delivery, physical destination APIC ID 0. */
#define MSI_ADDRESS_BOOT_CPU 0xFEE00000u

static inline void mmio_write8(volatile uint8_t *base, uint32_t off, uint8_t v)
{
	*(volatile uint8_t *)(base + off) = v;
}

static inline uint8_t mmio_read8(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint8_t *)(base + off);
}

static inline void mmio_write16(volatile uint8_t *base, uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}

static inline uint16_t mmio_read16(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint16_t *)(base + off);
}

static inline void mmio_write32(volatile uint8_t *base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static inline uint32_t mmio_read32(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static void mmio_write64(volatile uint8_t *base, uint32_t off, uint64_t v)
{
	/* §4.1.3.1: 64-bit fields may be written as two 32-bit halves. */
	mmio_write32(base, off, (uint32_t)v);
	mmio_write32(base, off + 4, (uint32_t)(v >> 32));
}

/*
 * Address of [offset, offset + length) inside BAR bar (assigning the BAR
 * an address if it has none), or NULL when the BAR is not memory, cannot
 * be assigned, lies outside the identity map, or is too small.
 */
static volatile uint8_t *bar_region(const struct pci_device *pci, uint8_t bar_index,
				    uint32_t offset, uint32_t length)
{
	struct pci_bar bar;

	if (pci_bar_assign(pci, bar_index, &bar) < 0 || bar.base + bar.size > PAGING_MAPPED_LIMIT ||
	    (uint64_t)offset + length > bar.size)
		return NULL;
	return (volatile uint8_t *)(uintptr_t)(bar.base + offset);
}

static volatile uint8_t *find_structure(const struct pci_device *pci, uint8_t cfg_type,
					uint32_t min_length, uint8_t *cap_out, uint32_t *length_out)
{
	for (uint8_t cap = pci_find_capability(pci, PCI_CAP_ID_VENDOR, 0); cap;
	     cap = pci_find_capability(pci, PCI_CAP_ID_VENDOR, cap)) {
		if (pci_config_read8(pci, cap + VIRTIO_CAP_CFG_TYPE) != cfg_type)
			continue;
		uint32_t length = pci_config_read32(pci, cap + VIRTIO_CAP_LENGTH);
		if (length < min_length)
			continue;
		volatile uint8_t *p =
		    bar_region(pci, pci_config_read8(pci, cap + VIRTIO_CAP_BAR),
			       pci_config_read32(pci, cap + VIRTIO_CAP_OFFSET), length);
		if (!p)
			continue; /* §4.1.4: the driver may use any of several of one type */
		*cap_out = cap;
		*length_out = length;
		return p;
	}
	return NULL;
}

static int find_msix(struct virtio_pci *vp)
{
	const struct pci_device *pci = &vp->pci;
	uint8_t cap = pci_find_capability(pci, PCI_CAP_ID_MSIX, 0);

	if (!cap)
		return -ENODEV;
	uint16_t control = pci_config_read16(pci, cap + MSIX_MESSAGE_CONTROL);
	uint32_t location = pci_config_read32(pci, cap + MSIX_TABLE_LOCATION);
	vp->msix_entries = (control & MSIX_CONTROL_TABLE_SIZE_MASK) + 1;
	volatile uint8_t *table =
	    bar_region(pci, location & MSIX_BIR_MASK, location & ~MSIX_BIR_MASK,
		       vp->msix_entries * MSIX_ENTRY_WORDS * sizeof(uint32_t));
	if (!table)
		return -ENODEV;
	vp->msix_table = (volatile uint32_t *)table;
	return 0;
}

static void set_status(struct virtio_pci *vp, uint8_t bits)
{
	mmio_write8(vp->common, COMMON_DEVICE_STATUS,
		    mmio_read8(vp->common, COMMON_DEVICE_STATUS) | bits);
}

int virtio_pci_init(struct virtio_pci *vp, const struct pci_device *pci, const char **why)
{
	uint8_t cap;
	uint32_t length;

	*vp = (struct virtio_pci){.pci = *pci};
	vp->common =
	    find_structure(pci, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_CFG_MIN_LENGTH, &cap, &length);
	if (!vp->common) {
		*why = "no common configuration in a memory BAR below 4 GiB (legacy-only device?)";
		return -ENODEV;
	}
	vp->notify_base =
	    find_structure(pci, VIRTIO_PCI_CAP_NOTIFY_CFG, sizeof(uint16_t), &cap, &length);
	if (!vp->notify_base) {
		*why = "no notification structure";
		return -ENODEV;
	}
	vp->notify_off_multiplier = pci_config_read32(pci, cap + VIRTIO_CAP_NOTIFY_MULTIPLIER);
	vp->device_cfg = find_structure(pci, VIRTIO_PCI_CAP_DEVICE_CFG, 1, &cap, &length);
	vp->device_cfg_len = vp->device_cfg ? length : 0;
	if (find_msix(vp) < 0) {
		*why = "no usable MSI-X table";
		return -ENODEV;
	}
	/* Only now: a BAR left at 0 would decode over low RAM. */
	pci_enable_memory_and_dma(pci);

	mmio_write8(vp->common, COMMON_DEVICE_STATUS, 0);
	for (unsigned i = 0; mmio_read8(vp->common, COMMON_DEVICE_STATUS) != 0; i++) {
		if (i == RESET_POLL_LIMIT) {
			*why = "device did not finish its reset";
			return -ENODEV;
		}
	}
	mmio_write16(vp->common, COMMON_MSIX_CONFIG, VIRTIO_MSIX_NO_VECTOR);
	return 0;
}

int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted, uint64_t required)
{
	set_status(vp, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	mmio_write32(vp->common, COMMON_DEVICE_FEATURE_SELECT, 0);
	uint64_t offered = mmio_read32(vp->common, COMMON_DEVICE_FEATURE);
	mmio_write32(vp->common, COMMON_DEVICE_FEATURE_SELECT, 1);
	offered |= (uint64_t)mmio_read32(vp->common, COMMON_DEVICE_FEATURE) << 32;

	uint64_t accepted = offered & wanted;
	if ((accepted & required) != required) {
		virtio_pci_fail(vp);
		return -ENOTSUP;
	}
	mmio_write32(vp->common, COMMON_DRIVER_FEATURE_SELECT, 0);
	mmio_write32(vp->common, COMMON_DRIVER_FEATURE, (uint32_t)accepted);
	mmio_write32(vp->common, COMMON_DRIVER_FEATURE_SELECT, 1);
	mmio_write32(vp->common, COMMON_DRIVER_FEATURE, (uint32_t)(accepted >> 32));
	set_status(vp, STATUS_FEATURES_OK);
	/* §3.1.1 step 6: the device clears FEATURES_OK if it cannot work so. */
	if (!(mmio_read8(vp->common, COMMON_DEVICE_STATUS) & STATUS_FEATURES_OK)) {
		virtio_pci_fail(vp);
		return -ENOTSUP;
	}
	return 0;
}

static size_t pages_for(size_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

int virtio_pci_queue_setup(struct virtio_pci *vp, struct virtq *vq, uint16_t index,
			   uint16_t max_size, uint16_t msix_entry)
{
	mmio_write16(vp->common, COMMON_QUEUE_SELECT, index);
	uint16_t device_max = mmio_read16(vp->common, COMMON_QUEUE_SIZE);
	uint16_t size = 1;
	while ((uint32_t)size * 2 <= device_max && size * 2 <= max_size)
		size *= 2;
	if (device_max == 0)
		return -ENOENT;

	size_t desc_pages = pages_for(sizeof(struct virtq_desc) * size);
	size_t avail_pages = pages_for(sizeof(struct virtq_avail) + sizeof(uint16_t) * (size + 1));
	size_t used_pages = pages_for(sizeof(struct virtq_used) +
				      sizeof(struct virtq_used_elem) * size + sizeof(uint16_t));
	size_t total = desc_pages + avail_pages + used_pages;
	uint8_t *mem = memory_alloc_pages(total);
	if (!mem)
		return -ENOMEM;
	memset(mem, 0, total * PAGE_SIZE);

	*vq = (struct virtq){
	    .index = index,
	    .size = size,
	    .desc = (struct virtq_desc *)mem,
	    .avail = (volatile struct virtq_avail *)(mem + desc_pages * PAGE_SIZE),
	    .used = (volatile struct virtq_used *)(mem + (desc_pages + avail_pages) * PAGE_SIZE),
	};
	uint16_t notify_off = mmio_read16(vp->common, COMMON_QUEUE_NOTIFY_OFF);
	vq->notify = (volatile uint16_t *)(vp->notify_base +
					   (uint32_t)notify_off * vp->notify_off_multiplier);

	mmio_write16(vp->common, COMMON_QUEUE_SIZE, size);
	mmio_write64(vp->common, COMMON_QUEUE_DESC, (uintptr_t)vq->desc);
	mmio_write64(vp->common, COMMON_QUEUE_DRIVER, (uintptr_t)vq->avail);
	mmio_write64(vp->common, COMMON_QUEUE_DEVICE, (uintptr_t)vq->used);
	mmio_write16(vp->common, COMMON_QUEUE_MSIX_VECTOR, msix_entry);
	/* §4.1.5.1.2: a vector the device cannot use reads back as NO_VECTOR. */
	if (mmio_read16(vp->common, COMMON_QUEUE_MSIX_VECTOR) != msix_entry)
		return -EIO;
	mmio_write16(vp->common, COMMON_QUEUE_ENABLE, 1);
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *vp)
{
	set_status(vp, STATUS_DRIVER_OK);
}

void virtio_pci_fail(struct virtio_pci *vp)
{
	set_status(vp, STATUS_FAILED);
}

void virtio_pci_msix_route(struct virtio_pci *vp, uint16_t entry, uint8_t vector)
{
	volatile uint32_t *e = vp->msix_table + entry * MSIX_ENTRY_WORDS;
	uint8_t cap = pci_find_capability(&vp->pci, PCI_CAP_ID_MSIX, 0);

	e[MSIX_ENTRY_ADDR_LO] = MSI_ADDRESS_BOOT_CPU;
	e[MSIX_ENTRY_ADDR_HI] = 0;
	e[MSIX_ENTRY_DATA] = vector;	  /* fixed delivery, edge-triggered */
	e[MSIX_ENTRY_VECTOR_CONTROL] = 0; /* unmasked */
	uint16_t control = pci_config_read16(&vp->pci, cap + MSIX_MESSAGE_CONTROL);
	pci_config_write16(&vp->pci, cap + MSIX_MESSAGE_CONTROL, control | MSIX_CONTROL_ENABLE);
}

void virtq_push_avail(struct virtq *vq, uint16_t id)
{
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = id;
	vq->avail_idx++;
}

void virtq_publish(struct virtq *vq)
{
	/* §2.4.7.2: descriptors and ring entries before the index... */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail->idx = vq->avail_idx;
	/* ...and the index before reading whether the device wants a kick. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY))
		*vq->notify = vq->index;
}

uint16_t virtq_used_pending(const struct virtq *vq)
{
	uint16_t pending = (uint16_t)(vq->used->idx - vq->last_used_idx);

	/* Entries are read only after the index that covers them. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return pending;
}

struct virtq_used_elem virtq_pop_used(struct virtq *vq)
{
	volatile struct virtq_used_elem *e = &vq->used->ring[vq->last_used_idx & (vq->size - 1)];
	struct virtq_used_elem copy = {.id = e->id, .len = e->len};

	vq->last_used_idx++;
	return copy;
}

void virtq_set_interrupts(struct virtq *vq, bool enabled)
{
	vq->avail->flags = enabled ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
	/* The flag must be visible before the caller re-reads used->idx. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
