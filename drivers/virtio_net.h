/*
 * virtio-net (virtio 1.0 §5.1) over the modern PCI transport: one receive
 * and one transmit queue per device, no offloads, the MAC address from the
 * device. Each device is a struct netdev (net/netdev.h): the driver fills
 * its ops, and the network stack (or an app) polls it from the main loop
 * through them, and halts in netdev_wait when there is nothing to do. The
 * driver knows nothing of what the frames carry.
 *
 * Frames are whole Ethernet frames without the FCS. Everything the device
 * writes into shared memory is checked: a used entry with an id that is
 * not outstanding, a length that does not fit its buffer, or a used index
 * that runs ahead of what was posted is counted and dropped, never trusted.
 */
#ifndef UKBPF_VIRTIO_NET_H
#define UKBPF_VIRTIO_NET_H

#include <stddef.h>

/*
 * Finds and initializes every virtio-net PCI device (modern 0x1041, or
 * transitional 0x1000 with modern capabilities) and registers each that
 * is ready as a netdev (net/netdev.h: the only way to reach it). Returns
 * how many it registered; a device that could not be set up is skipped
 * and, for the first such, why (when not NULL) gets
 * "PCI bus:slot.fn: reason". netdev_probe_all's to call, once, with
 * interrupts enabled or not.
 */
size_t virtio_net_probe_all(char *why, size_t why_len);

#endif /* UKBPF_VIRTIO_NET_H */
