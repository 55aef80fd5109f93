/*
 * PCI: configuration space through configuration mechanism #1 (ports
 * 0xCF8/0xCFC, PCI Local Bus 3.0 §3.2.2.3.2), a brute-force walk of every
 * bus/device/function, BAR decoding and the capability list. Only the
 * first 256 bytes of configuration space are reachable this way, which is
 * all a virtio device needs.
 */
#ifndef UKBPF_PCI_H
#define UKBPF_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_VENDOR_NONE 0xFFFF /* what an empty slot reads as */
#define PCI_BAR_COUNT	6

/* Capability IDs (PCI Local Bus 3.0 Appendix H). */
#define PCI_CAP_ID_MSIX	  0x11
#define PCI_CAP_ID_VENDOR 0x09

struct pci_device {
	uint8_t bus, slot, function;
	uint16_t vendor_id, device_id;
	uint8_t class_code, subclass;
	uint8_t interrupt_line, interrupt_pin; /* as the firmware left them */
};

struct pci_bar {
	uint64_t base; /* physical address (memory) or port (I/O); 0: not assigned */
	uint64_t size;
	bool is_io;
	bool is_64bit;
};

uint8_t pci_config_read8(const struct pci_device *dev, uint8_t offset);
uint16_t pci_config_read16(const struct pci_device *dev, uint8_t offset);
uint32_t pci_config_read32(const struct pci_device *dev, uint8_t offset);
void pci_config_write16(const struct pci_device *dev, uint8_t offset, uint16_t value);
void pci_config_write32(const struct pci_device *dev, uint8_t offset, uint32_t value);

/*
 * Calls visit for every function present on buses 0..255 (functions 1..7
 * only on multi-function devices). Returns how many were found.
 */
size_t pci_enumerate(void (*visit)(const struct pci_device *dev, void *arg), void *arg);

/*
 * Decodes BAR index (sizing it by writing all ones, with decoding off
 * meanwhile). 0, or -EINVAL for an index past the BARs or the upper half
 * of a 64-bit BAR, -ENODEV for a BAR that is not implemented.
 */
int pci_bar_read(const struct pci_device *dev, unsigned index, struct pci_bar *bar);

/*
 * Gives memory BAR index an address when the firmware left it at 0 (qboot
 * assigns none; SeaBIOS assigns all, and then this changes nothing), and
 * returns it decoded like pci_bar_read. Addresses come from a bump
 * allocator in PCI_MEMORY_WINDOW, naturally aligned: QEMU's pc machine
 * keeps RAM below 0xE0000000 and the I/O APIC at 0xFEC00000, so the range
 * between is PCI space, identity mapped uncached by the kernel. Call it
 * before enabling memory decoding. -ENOSPC when the window is full,
 * -EINVAL for an I/O BAR, or pci_bar_read's errors.
 */
#define PCI_MEMORY_WINDOW_START 0xE0000000u
#define PCI_MEMORY_WINDOW_END	0xFEC00000u
int pci_bar_assign(const struct pci_device *dev, unsigned index, struct pci_bar *bar);

/*
 * Offset of the next capability with ID cap_id after the one at offset
 * prev (0: from the start of the list), or 0 when there is none. A list
 * that loops or points outside the header is cut short, not followed.
 */
uint8_t pci_find_capability(const struct pci_device *dev, uint8_t cap_id, uint8_t prev);

/* Turns on memory decoding and bus mastering (DMA), and masks INTx. */
void pci_enable_memory_and_dma(const struct pci_device *dev);

#endif /* UKBPF_PCI_H */
