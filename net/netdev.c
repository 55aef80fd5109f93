/*
 * The netdev registry, the table of driver probes, and the two things
 * every device kind shares: retrying a send on a full ring, and halting
 * until any device has a frame (interrupts on only while halted).
 */
#include "netdev.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>

#include "apic.h"
#include "timekeeping.h"
#include "virtio_net.h"
#include "x86.h"

#define NETDEV_WAIT_SPIN_NS 20000

typedef size_t (*netdev_probe_fn)(char *why, size_t why_len);

/* Every driver's probe, in the order their devices get ifindexes. */
static const netdev_probe_fn driver_probes[] = {
    virtio_net_probe_all,
};

static struct netdev *devices[NETDEV_MAX]; /* devices[i] has ifindex i + 1 */
static size_t device_count;
static bool probed;

size_t netdev_probe_all(char *why, size_t why_len)
{
	if (why && why_len)
		why[0] = '\0';
	if (probed)
		return device_count;
	probed = true;
	for (size_t i = 0; i < sizeof(driver_probes) / sizeof(driver_probes[0]); i++) {
		bool reported = why && why_len && why[0];
		driver_probes[i](reported ? NULL : why, reported ? 0 : why_len);
	}
	return device_count;
}

int netdev_register(struct netdev *dev)
{
	assert(dev->ops && dev->ops->transmit && dev->ops->poll && dev->ops->get_stats &&
	       dev->ops->rx_pending && dev->ops->set_rx_interrupts);
	if (device_count == NETDEV_MAX)
		return -ENOSPC;
	dev->ifindex = (uint32_t)device_count + 1;
	snprintf(dev->name, sizeof(dev->name), "eth%zu", device_count);
	devices[device_count++] = dev;
	return 0;
}

size_t netdev_count(void)
{
	return device_count;
}

struct netdev *netdev_by_ifindex(uint32_t ifindex)
{
	return ifindex >= 1 && ifindex <= device_count ? devices[ifindex - 1] : NULL;
}

int netdev_transmit_retry(struct netdev *dev, const void *frame, size_t len, uint64_t timeout_ns)
{
	uint64_t give_up = 0;
	int err;

	while ((err = netdev_transmit(dev, frame, len)) == -EAGAIN) {
		uint64_t now = time_monotonic_ns();
		if (!give_up)
			give_up = now + timeout_ns;
		else if (now >= give_up)
			break;
	}
	return err;
}

static bool any_rx_pending(void)
{
	for (size_t i = 0; i < device_count; i++)
		if (devices[i]->ops->rx_pending(devices[i]))
			return true;
	return false;
}

static void set_rx_interrupts(bool enabled)
{
	for (size_t i = 0; i < device_count; i++)
		devices[i]->ops->set_rx_interrupts(devices[i], enabled);
}

void netdev_wait(uint64_t deadline_ns)
{
	uint64_t spin_until = time_monotonic_ns() + NETDEV_WAIT_SPIN_NS;

	for (uint64_t now = time_monotonic_ns(); now < spin_until && now < deadline_ns;
	     now = time_monotonic_ns()) {
		if (any_rx_pending())
			return;
		cpu_relax();
	}

	set_rx_interrupts(true);
	for (;;) {
		/* With interrupts off between the check and hlt, none is missed. */
		irq_disable();
		uint64_t now = time_monotonic_ns();
		if (any_rx_pending() || now >= deadline_ns)
			break;
		apic_timer_oneshot(deadline_ns - now);
		cpu_idle();
	}
	apic_timer_oneshot(0);
	irq_enable();
	set_rx_interrupts(false);
}
