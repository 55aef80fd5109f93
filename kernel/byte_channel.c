/*
 * The byte-channel registry and the run of the drivers' probes: the table
 * BYTE_CHANNEL_DRIVER fills is the section byte_channel_drivers, whose
 * bounds the linker names __start_ and __stop_ (GNU ld, guest and host).
 */
#include "byte_channel.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

extern const byte_channel_probe_fn __start_byte_channel_drivers[];
extern const byte_channel_probe_fn __stop_byte_channel_drivers[];

static struct byte_channel *channels[BYTE_CHANNEL_MAX];
static size_t channel_count;
static bool probed;
static char probe_why[128]; /* the first device a probe skipped, and why */

static struct byte_channel *find(const char *name)
{
	for (size_t i = 0; i < channel_count; i++)
		if (strcmp(channels[i]->name, name) == 0)
			return channels[i];
	return NULL;
}

int byte_channel_register(struct byte_channel *ch)
{
	assert(ch->ops && ch->ops->open && ch->ops->read && ch->ops->write &&
	       ch->ops->peer_connected && ch->ops->get_stats);
	if (find(ch->name))
		return -EEXIST;
	if (channel_count == BYTE_CHANNEL_MAX)
		return -ENOSPC;
	channels[channel_count++] = ch;
	return 0;
}

static void probe_all(void)
{
	probed = true;
	for (const byte_channel_probe_fn *probe = __start_byte_channel_drivers;
	     probe < __stop_byte_channel_drivers; probe++) {
		bool reported = probe_why[0] != '\0';
		(*probe)(reported ? NULL : probe_why, reported ? 0 : sizeof(probe_why));
	}
}

/* "no such channel" and what there is instead, for byte_channel_open's why. */
static void explain_missing(const char *name, char *why, size_t why_len)
{
	size_t used = (size_t)snprintf(why, why_len, "no channel named %s", name);

	if (channel_count == 0 && used < why_len)
		used += (size_t)snprintf(why + used, why_len - used, " (no channel device)");
	for (size_t i = 0; i < channel_count && used < why_len; i++)
		used += (size_t)snprintf(why + used, why_len - used, "%s%s",
					 i ? ", " : " (have: ", channels[i]->name);
	if (channel_count && used < why_len)
		used += (size_t)snprintf(why + used, why_len - used, ")");
	if (probe_why[0] && used < why_len)
		snprintf(why + used, why_len - used, "; skipped %s", probe_why);
}

int byte_channel_open(const char *name, struct byte_channel **ch, char *why, size_t why_len)
{
	if (why && why_len)
		why[0] = '\0';
	if (!probed)
		probe_all();
	struct byte_channel *found = find(name);
	if (!found) {
		if (why && why_len)
			explain_missing(name, why, why_len);
		return -ENODEV;
	}
	if (found->opened) {
		if (why && why_len)
			snprintf(why, why_len, "%s is already open", name);
		return -EBUSY;
	}
	int err = found->ops->open(found);
	if (err < 0) {
		if (why && why_len)
			snprintf(why, why_len, "%s: the device refused to open it", name);
		return err;
	}
	found->opened = true;
	*ch = found;
	return 0;
}
