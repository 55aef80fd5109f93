#include "pci.h"

#include <errno.h>

#include "x86.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA	   0xCFC
#define PCI_CONFIG_ENABLE  (1u << 31)

#define PCI_BUS_COUNT	   256
#define PCI_SLOT_COUNT	   32
#define PCI_FUNCTION_COUNT 8

/* Type 0 header offsets (PCI Local Bus 3.0 §6.1). */
#define PCI_VENDOR_ID	    0x00
#define PCI_DEVICE_ID	    0x02
#define PCI_COMMAND	    0x04
#define PCI_STATUS	    0x06
#define PCI_SUBCLASS	    0x0A
#define PCI_CLASS	    0x0B
#define PCI_HEADER_TYPE	    0x0E
#define PCI_BAR0	    0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE  0x3C
#define PCI_INTERRUPT_PIN   0x3D

#define PCI_HEADER_TYPE_MASK	  0x7F
#define PCI_HEADER_TYPE_NORMAL	  0x00
#define PCI_HEADER_MULTI_FUNCTION 0x80
#define PCI_STATUS_CAP_LIST	  (1u << 4)
#define PCI_COMMAND_IO		  (1u << 0)
#define PCI_COMMAND_MEMORY	  (1u << 1)
#define PCI_COMMAND_BUS_MASTER	  (1u << 2)
#define PCI_COMMAND_INTX_DISABLE  (1u << 10)

#define PCI_BAR_IO	  (1u << 0)
#define PCI_BAR_TYPE_MASK 0x6u
#define PCI_BAR_TYPE_64	  0x4u
#define PCI_BAR_IO_MASK	  0xFFFFFFFCu
#define PCI_BAR_MEM_MASK  0xFFFFFFF0u

/* Capabilities live after the 64-byte header; each is at least 4 bytes. */
#define PCI_CAP_FIRST_OFFSET 0x40
#define PCI_CAP_MAX_COUNT    ((256 - PCI_CAP_FIRST_OFFSET) / 4)

static uint32_t config_address(const struct pci_device *dev, uint8_t offset)
{
	return PCI_CONFIG_ENABLE | (uint32_t)dev->bus << 16 | (uint32_t)dev->slot << 11 |
	       (uint32_t)dev->function << 8 | (offset & ~3u);
}

uint32_t pci_config_read32(const struct pci_device *dev, uint8_t offset)
{
	outl(PCI_CONFIG_ADDRESS, config_address(dev, offset));
	return inl(PCI_CONFIG_DATA);
}

uint16_t pci_config_read16(const struct pci_device *dev, uint8_t offset)
{
	return (uint16_t)(pci_config_read32(dev, offset) >> ((offset & 2) * 8));
}

uint8_t pci_config_read8(const struct pci_device *dev, uint8_t offset)
{
	return (uint8_t)(pci_config_read32(dev, offset) >> ((offset & 3) * 8));
}

void pci_config_write32(const struct pci_device *dev, uint8_t offset, uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, config_address(dev, offset));
	outl(PCI_CONFIG_DATA, value);
}

void pci_config_write16(const struct pci_device *dev, uint8_t offset, uint16_t value)
{
	outl(PCI_CONFIG_ADDRESS, config_address(dev, offset));
	outw(PCI_CONFIG_DATA + (offset & 2), value);
}

static void fill_identity(struct pci_device *dev)
{
	dev->vendor_id = pci_config_read16(dev, PCI_VENDOR_ID);
	dev->device_id = pci_config_read16(dev, PCI_DEVICE_ID);
	dev->class_code = pci_config_read8(dev, PCI_CLASS);
	dev->subclass = pci_config_read8(dev, PCI_SUBCLASS);
	dev->interrupt_line = pci_config_read8(dev, PCI_INTERRUPT_LINE);
	dev->interrupt_pin = pci_config_read8(dev, PCI_INTERRUPT_PIN);
}

size_t pci_enumerate(void (*visit)(const struct pci_device *dev, void *arg), void *arg)
{
	size_t found = 0;

	for (unsigned bus = 0; bus < PCI_BUS_COUNT; bus++) {
		for (unsigned slot = 0; slot < PCI_SLOT_COUNT; slot++) {
			struct pci_device dev = {.bus = bus, .slot = slot};
			if (pci_config_read16(&dev, PCI_VENDOR_ID) == PCI_VENDOR_NONE)
				continue;
			bool multi =
			    pci_config_read8(&dev, PCI_HEADER_TYPE) & PCI_HEADER_MULTI_FUNCTION;
			for (unsigned fn = 0; fn < (multi ? PCI_FUNCTION_COUNT : 1); fn++) {
				dev.function = fn;
				if (pci_config_read16(&dev, PCI_VENDOR_ID) == PCI_VENDOR_NONE)
					continue;
				fill_identity(&dev);
				found++;
				visit(&dev, arg);
			}
		}
	}
	return found;
}

/* Writes all ones and reads back which address bits the BAR keeps. */
static uint32_t bar_size_mask(const struct pci_device *dev, uint8_t offset)
{
	uint32_t original = pci_config_read32(dev, offset);

	pci_config_write32(dev, offset, UINT32_MAX);
	uint32_t mask = pci_config_read32(dev, offset);
	pci_config_write32(dev, offset, original);
	return mask;
}

static bool bar_is_upper_half(const struct pci_device *dev, unsigned index)
{
	for (unsigned i = 0; i < index; i++) {
		uint32_t raw = pci_config_read32(dev, PCI_BAR0 + 4 * i);
		if (!(raw & PCI_BAR_IO) && (raw & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64) {
			if (i + 1 == index)
				return true;
			i++;
		}
	}
	return false;
}

int pci_bar_read(const struct pci_device *dev, unsigned index, struct pci_bar *bar)
{
	if (index >= PCI_BAR_COUNT ||
	    (pci_config_read8(dev, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK) !=
		PCI_HEADER_TYPE_NORMAL ||
	    bar_is_upper_half(dev, index))
		return -EINVAL;

	uint8_t offset = PCI_BAR0 + 4 * index;
	uint32_t raw = pci_config_read32(dev, offset);
	*bar = (struct pci_bar){.is_io = raw & PCI_BAR_IO};
	bar->is_64bit = !bar->is_io && (raw & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64;
	if (bar->is_64bit && index + 1 >= PCI_BAR_COUNT)
		return -EINVAL;

	/* Sizing moves the BAR for a moment: the device must not decode then. */
	uint16_t command = pci_config_read16(dev, PCI_COMMAND);
	pci_config_write16(dev, PCI_COMMAND, command & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	uint64_t mask;
	if (bar->is_io) {
		bar->base = raw & PCI_BAR_IO_MASK;
		mask = bar_size_mask(dev, offset) & PCI_BAR_IO_MASK;
		mask |= 0xFFFF0000u; /* ports are 16 bits wide; upper bits may read 0 */
		mask |= (uint64_t)UINT32_MAX << 32;
	} else {
		bar->base = raw & PCI_BAR_MEM_MASK;
		mask = bar_size_mask(dev, offset) & PCI_BAR_MEM_MASK;
		if (bar->is_64bit) {
			bar->base |= (uint64_t)pci_config_read32(dev, offset + 4) << 32;
			mask |= (uint64_t)bar_size_mask(dev, offset + 4) << 32;
		} else {
			mask |= (uint64_t)UINT32_MAX << 32;
		}
	}
	pci_config_write16(dev, PCI_COMMAND, command);

	if ((uint32_t)mask == 0)
		return -ENODEV;
	bar->size = ~mask + 1;
	return 0;
}

int pci_bar_assign(const struct pci_device *dev, unsigned index, struct pci_bar *bar)
{
	static uint64_t next_free = PCI_MEMORY_WINDOW_START;
	int err = pci_bar_read(dev, index, bar);

	if (err < 0)
		return err;
	if (bar->is_io)
		return -EINVAL;
	if (bar->base != 0)
		return 0;
	uint64_t base = (next_free + bar->size - 1) & ~(bar->size - 1);
	if (base + bar->size > PCI_MEMORY_WINDOW_END)
		return -ENOSPC;
	uint8_t offset = PCI_BAR0 + 4 * index;
	uint32_t type_bits = pci_config_read32(dev, offset) & ~PCI_BAR_MEM_MASK;
	pci_config_write32(dev, offset, (uint32_t)base | type_bits);
	if (bar->is_64bit)
		pci_config_write32(dev, offset + 4, 0);
	next_free = base + bar->size;
	bar->base = base;
	return 0;
}

uint8_t pci_find_capability(const struct pci_device *dev, uint8_t cap_id, uint8_t prev)
{
	if (!(pci_config_read16(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	uint8_t offset =
	    prev ? pci_config_read8(dev, prev + 1) : pci_config_read8(dev, PCI_CAPABILITY_LIST);

	/* A well-formed list has fewer entries than fit; more means a loop. */
	for (unsigned seen = 0; seen < PCI_CAP_MAX_COUNT; seen++) {
		offset &= ~3u; /* the low two bits are reserved (§6.7) */
		if (offset < PCI_CAP_FIRST_OFFSET)
			return 0;
		if (pci_config_read8(dev, offset) == cap_id)
			return offset;
		offset = pci_config_read8(dev, offset + 1);
	}
	return 0;
}

void pci_enable_memory_and_dma(const struct pci_device *dev)
{
	uint16_t command = pci_config_read16(dev, PCI_COMMAND);

	pci_config_write16(dev, PCI_COMMAND,
			   command | PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER |
			       PCI_COMMAND_INTX_DISABLE);
}
