/*
 * virtio-console (virtio 1.x §5.3 "Console Device") over the modern PCI
 * transport, with VIRTIO_CONSOLE_F_MULTIPORT: named ports, each a
 * byte channel (kernel/byte_channel.h: the only way to reach one). This
 * is QEMU's virtio-serial-pci with virtserialport devices, the transport
 * QEMU's guest agent uses; scripts/run.sh --control adds one named
 * org.ukbpf.control.0.
 *
 * The driver registers its probe in the byte-channel table; the first
 * byte_channel_open runs it. Everything is polled (no interrupts): each
 * channel operation first handles the control messages that arrived
 * (ports added, named, opened or closed by the host). Everything the
 * device writes into shared memory is checked: a used entry with an id
 * that is not outstanding, a length that does not fit its buffer, or a
 * used index that runs ahead of what was posted fails the device, and a
 * control message that makes no sense (a port number out of range, an
 * event for a port never added, a name that is empty or too long) is
 * counted in device_errors and ignored.
 */
#ifndef UKBPF_VIRTIO_CONSOLE_H
#define UKBPF_VIRTIO_CONSOLE_H

#include <stddef.h>

/*
 * Finds and initializes every virtio-console PCI device (modern 0x1043, or
 * transitional 0x1003 with modern capabilities), waits (up to a second)
 * for each to announce and name its ports, and registers each named port
 * as a byte channel. Returns how many channels it registered; a device
 * that could not be set up is skipped and, for the first such, why (when
 * not NULL) gets "PCI bus:slot.fn: reason". In the byte-channel driver
 * table (BYTE_CHANNEL_DRIVER): byte_channel_open's to call, once.
 */
size_t virtio_console_probe_all(char *why, size_t why_len);

#endif /* UKBPF_VIRTIO_CONSOLE_H */
