/*
 * The control plane's command executor: decoded requests (ctl_wire.c)
 * against a registry of loads. Each command checks everything it can
 * before it changes anything, so that a refusal leaves the registry as
 * it was; a load builds the whole object aside and enters it last.
 */
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf.h"

/* Long enough for a verifier refusal with its states (log_level 1). */
#define CTL_LOG_SIZE 16384
#define CTL_MAX_ID   0x7fffffffu

struct prog_entry {
	uint32_t id; /* 0: a free slot */
	uint32_t object_id;
	struct ebpf_prog *prog;
	uint32_t verified_insns;
	struct ctl_run_stats stats;
};

struct map_entry {
	uint32_t id; /* 0: a free slot */
	uint32_t object_id;
	struct ebpf_map *map;
	uint64_t bytes;
};

/* One load: its ELF's maps and programs live and die together. */
struct object_entry {
	uint32_t id; /* 0: a free slot */
	struct ebpf_object *obj;
	uint32_t prog_id;
};

struct attachment {
	uint32_t ifindex; /* 0: a free slot */
	uint32_t prog_id;
};

struct ctl {
	struct ctl_config config;
	/* Each table has its limit's slots: objects and programs are one to one. */
	struct prog_entry *progs;
	struct map_entry *maps;
	struct object_entry *objects;
	struct attachment *attachments;
	uint32_t last_prog_id, last_map_id, last_object_id;
	uint64_t map_bytes;
	bool stats_enabled;
	char log_text[CTL_LOG_SIZE];
};

int ctl_create(const struct ctl_config *config, struct ctl **ctlp)
{
	struct ctl *ctl = calloc(1, sizeof(*ctl));
	struct ctl_limits *l;

	*ctlp = NULL;
	if (!ctl)
		return -ENOMEM;
	ctl->config = *config;
	l = &ctl->config.limits;
	l->max_progs = l->max_progs ? l->max_progs : CTL_DEFAULT_MAX_PROGS;
	l->max_maps = l->max_maps ? l->max_maps : CTL_DEFAULT_MAX_MAPS;
	l->max_map_bytes = l->max_map_bytes ? l->max_map_bytes : CTL_DEFAULT_MAX_MAP_BYTES;
	l->max_request = l->max_request ? l->max_request : CTL_DEFAULT_MAX_REQUEST;
	if (l->max_request > CTL_PAYLOAD_MAX)
		l->max_request = CTL_PAYLOAD_MAX;
	l->max_attachments = l->max_attachments ? l->max_attachments : CTL_DEFAULT_MAX_ATTACHMENTS;
	ctl->progs = calloc(l->max_progs, sizeof(*ctl->progs));
	ctl->objects = calloc(l->max_progs, sizeof(*ctl->objects));
	ctl->maps = calloc(l->max_maps, sizeof(*ctl->maps));
	ctl->attachments = calloc(l->max_attachments, sizeof(*ctl->attachments));
	if (!ctl->progs || !ctl->objects || !ctl->maps || !ctl->attachments) {
		ctl_free(ctl);
		return -ENOMEM;
	}
	*ctlp = ctl;
	return 0;
}

void ctl_free(struct ctl *ctl)
{
	if (!ctl)
		return;
	for (uint32_t i = 0; ctl->objects && i < ctl->config.limits.max_progs; i++)
		if (ctl->objects[i].id)
			ebpf_object_free(ctl->objects[i].obj);
	free(ctl->progs);
	free(ctl->objects);
	free(ctl->maps);
	free(ctl->attachments);
	free(ctl);
}

void ctl_get_counts(const struct ctl *ctl, struct ctl_counts *counts)
{
	*counts = (struct ctl_counts){.map_bytes = ctl->map_bytes};
	for (uint32_t i = 0; i < ctl->config.limits.max_progs; i++) {
		counts->progs += ctl->progs[i].id != 0;
		counts->objects += ctl->objects[i].id != 0;
	}
	for (uint32_t i = 0; i < ctl->config.limits.max_maps; i++)
		counts->maps += ctl->maps[i].id != 0;
	for (uint32_t i = 0; i < ctl->config.limits.max_attachments; i++)
		counts->attachments += ctl->attachments[i].ifindex != 0;
}

/* ---- the registry --------------------------------------------------------- */

static struct prog_entry *find_prog(struct ctl *ctl, uint32_t id)
{
	for (uint32_t i = 0; id && i < ctl->config.limits.max_progs; i++)
		if (ctl->progs[i].id == id)
			return &ctl->progs[i];
	return NULL;
}

static struct map_entry *find_map(struct ctl *ctl, uint32_t id)
{
	for (uint32_t i = 0; id && i < ctl->config.limits.max_maps; i++)
		if (ctl->maps[i].id == id)
			return &ctl->maps[i];
	return NULL;
}

static struct object_entry *find_object(struct ctl *ctl, uint32_t id)
{
	for (uint32_t i = 0; id && i < ctl->config.limits.max_progs; i++)
		if (ctl->objects[i].id == id)
			return &ctl->objects[i];
	return NULL;
}

static struct attachment *find_attachment(struct ctl *ctl, uint32_t ifindex)
{
	for (uint32_t i = 0; i < ctl->config.limits.max_attachments; i++)
		if (ctl->attachments[i].ifindex == ifindex)
			return &ctl->attachments[i];
	return NULL;
}

static bool prog_is_attached(struct ctl *ctl, uint32_t prog_id)
{
	for (uint32_t i = 0; i < ctl->config.limits.max_attachments; i++)
		if (ctl->attachments[i].ifindex && ctl->attachments[i].prog_id == prog_id)
			return true;
	return false;
}

static uint32_t attached_ifindex(struct ctl *ctl, uint32_t prog_id)
{
	for (uint32_t i = 0; i < ctl->config.limits.max_attachments; i++)
		if (ctl->attachments[i].ifindex && ctl->attachments[i].prog_id == prog_id)
			return ctl->attachments[i].ifindex;
	return 0;
}

static size_t free_map_slots(const struct ctl *ctl)
{
	size_t n = 0;
	for (uint32_t i = 0; i < ctl->config.limits.max_maps; i++)
		n += ctl->maps[i].id == 0;
	return n;
}

static const char *map_name(const struct ebpf_map *map)
{
	const char *name = ebpf_map_get_name(map);
	return name ? name : "";
}

/* ---- executing one request ------------------------------------------------- */

/* What a command hands back to ctl_execute. */
struct exec {
	struct ctl *ctl;
	const char *channel;
	struct ebpf_log log;
	struct ctl_reply reply;
	void *scratch;	   /* freed after the reply is encoded */
	size_t reply_room; /* payload bytes the reply buffer holds */
	char *audit;
	size_t audit_size;
};

static int refuse(struct exec *x, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(struct exec *x, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->ctl->log_text, sizeof(x->ctl->log_text), fmt, ap);
	va_end(ap);
	x->log.len = strlen(x->ctl->log_text);
	return err;
}

/*
 * Enters an accepted load into the registry, with new ids: the object,
 * its program prog, and its maps, whose ids go into map_ids as the reply
 * carries them (little-endian). The caller checked that slots are free.
 */
static struct prog_entry *register_load(struct ctl *ctl, struct ebpf_object *obj,
					struct ebpf_prog *prog,
					const struct ebpf_verify_stats *stats, uint32_t *map_ids)
{
	const struct ctl_limits *limits = &ctl->config.limits;
	struct object_entry *oe = NULL;
	struct prog_entry *pe = NULL;

	for (uint32_t i = 0; i < limits->max_progs && (!oe || !pe); i++) {
		oe = !oe && !ctl->objects[i].id ? &ctl->objects[i] : oe;
		pe = !pe && !ctl->progs[i].id ? &ctl->progs[i] : pe;
	}
	*oe = (struct object_entry){.id = ++ctl->last_object_id, .obj = obj};
	*pe = (struct prog_entry){.id = ++ctl->last_prog_id,
				  .object_id = oe->id,
				  .prog = prog,
				  .verified_insns = stats->insns_processed > UINT32_MAX
							? UINT32_MAX
							: (uint32_t)stats->insns_processed,
				  .stats = {.enabled = &ctl->stats_enabled}};
	oe->prog_id = pe->id;
	uint32_t slot = 0;
	for (size_t i = 0; i < ebpf_object_map_count(obj); i++) {
		while (ctl->maps[slot].id)
			slot++;
		struct ebpf_map *map = ebpf_object_map(obj, i);
		struct map_entry *me = &ctl->maps[slot];
		*me = (struct map_entry){.id = ++ctl->last_map_id,
					 .object_id = oe->id,
					 .map = map,
					 .bytes = ebpf_map_def_bytes(ebpf_map_get_def(map))};
		ctl->map_bytes += me->bytes;
		uint8_t *le = (uint8_t *)&map_ids[i];
		for (int b = 0; b < 4; b++)
			le[b] = (uint8_t)(me->id >> (8 * b));
	}
	return pe;
}

static int exec_prog_load(struct exec *x, const struct ctl_request *req)
{
	struct ctl *ctl = x->ctl;
	const struct ctl_limits *limits = &ctl->config.limits;
	struct ebpf_object *obj = NULL;
	struct ebpf_object_prog_info info;
	struct ebpf_verify_stats stats = {0};
	struct ctl_counts counts;
	size_t index;
	int err;

	ctl_get_counts(ctl, &counts);
	if (counts.progs >= limits->max_progs)
		return refuse(x, -ENOSPC, "ctl: %u programs loaded, the limit", counts.progs);
	/* The loader stops at the map that would pass the limit, before allocating it. */
	struct ebpf_object_load_opts opts = {.max_map_bytes =
						 limits->max_map_bytes - ctl->map_bytes};
	if (opts.max_map_bytes == 0)
		return refuse(x, -ENOMEM, "ctl: all %llu bytes of map memory are in use",
			      (unsigned long long)limits->max_map_bytes);
	x->log.level = (int)req->prog_load.log_level;
	err = ebpf_object_load_elf_opts(req->prog_load.elf, req->prog_load.elf_len, &opts, &obj,
					&x->log);
	if (err)
		return err;
	if (ebpf_object_find_prog_index(obj, req->prog_load.prog_name, &index) != 0) {
		err = refuse(x, -ENOENT, "ctl: the object has no program '%s'",
			     req->prog_load.prog_name);
		goto out;
	}
	ebpf_object_prog_info(obj, index, &info);
	if (!info.prog) {
		err = refuse(x, info.error ? info.error : -EINVAL, "%s", info.error_msg);
		goto out;
	}
	size_t map_count = ebpf_object_map_count(obj);
	/* Linux's idr stops at INT_MAX too; an id never wraps into 0, "free" here */
	if (ctl->last_prog_id >= CTL_MAX_ID || ctl->last_object_id >= CTL_MAX_ID ||
	    ctl->last_map_id > CTL_MAX_ID - map_count) {
		err = refuse(x, -ENOSPC, "ctl: no ids are left");
		goto out;
	}
	if (map_count > free_map_slots(ctl)) {
		err = refuse(x, -ENOSPC, "ctl: the object has %zu maps, %zu more may be loaded",
			     map_count, free_map_slots(ctl));
		goto out;
	}
	if ((err = ebpf_verify(info.prog, &x->log, &stats)) != 0)
		goto out;
	if (ctl->config.jit &&
	    (err = ebpf_prog_jit(info.prog, &(struct ebpf_jit_opts){0}, &x->log)) != 0)
		goto out;
	uint32_t *map_ids = malloc(map_count * sizeof(uint32_t) + 1);
	if (!map_ids) {
		err = refuse(x, -ENOMEM, "ctl: out of memory");
		goto out;
	}

	/* Accepted: from here on nothing fails. */
	struct prog_entry *pe = register_load(ctl, obj, info.prog, &stats, map_ids);
	x->scratch = map_ids;
	x->reply.prog_load.object_id = pe->object_id;
	x->reply.prog_load.prog_id = pe->id;
	x->reply.prog_load.map_count = (uint32_t)map_count;
	x->reply.prog_load.map_ids = (const uint8_t *)map_ids;
	snprintf(x->audit, x->audit_size,
		 "ctl %s: BPF_PROG_LOAD '%s' (%u bytes) -> prog %u object %u, %zu maps: ok",
		 x->channel, req->prog_load.prog_name, req->prog_load.elf_len, pe->id,
		 pe->object_id, map_count);
	return 0;
out:
	ebpf_object_free(obj);
	return err;
}

/* The map of a request, and its key checked against the map's key size. */
static int request_map(struct exec *x, uint32_t id, uint32_t key_len, bool key_optional,
		       struct map_entry **mep)
{
	struct map_entry *me = find_map(x->ctl, id);
	if (!me)
		return refuse(x, -ENOENT, "ctl: no map with id %u", id);
	const struct ebpf_map_def *def = ebpf_map_get_def(me->map);
	if (key_len != def->key_size && !(key_optional && key_len == 0))
		return refuse(x, -EINVAL, "ctl: key of %u bytes, map %u '%s' has %u-byte keys",
			      key_len, id, map_name(me->map), def->key_size);
	*mep = me;
	return 0;
}

static int exec_map_elem(struct exec *x, const struct ctl_request *req)
{
	const char *cmd = ctl_cmd_name(req->type);
	struct map_entry *me;
	bool first_key = req->type == CTL_MAP_GET_NEXT_KEY;
	int err = request_map(x, req->map_elem.map_id, req->map_elem.key_len, first_key, &me);
	if (err)
		return err;
	const struct ebpf_map_def *def = ebpf_map_get_def(me->map);
	const void *key = req->map_elem.key_len ? req->map_elem.key : NULL;
	uint32_t out_len = req->type == CTL_MAP_LOOKUP_ELEM ? def->value_size : def->key_size;

	switch (req->type) {
	case CTL_MAP_LOOKUP_ELEM:
	case CTL_MAP_GET_NEXT_KEY:
		if (out_len > x->reply_room)
			return refuse(x, -ENOSPC, "ctl: %u bytes do not fit the reply", out_len);
		/* zeroed: a bloom filter reads its value as the element to test */
		if (!(x->scratch = calloc(1, out_len + 1)))
			return refuse(x, -ENOMEM, "ctl: out of memory");
		err = req->type == CTL_MAP_LOOKUP_ELEM
			  ? ebpf_map_lookup(me->map, key, x->scratch)
			  : ebpf_map_get_next_key(me->map, key, x->scratch);
		x->reply.bytes.data = x->scratch;
		x->reply.bytes.len = out_len;
		if (err)
			return refuse(x, err, "ctl: %s on map %u '%s': %s", cmd, me->id,
				      map_name(me->map), strerror(-err));
		return 0;
	case CTL_MAP_UPDATE_ELEM:
		if (req->map_elem.value_len != def->value_size)
			err = refuse(
			    x, -EINVAL, "ctl: value of %u bytes, map %u '%s' has %u-byte values",
			    req->map_elem.value_len, me->id, map_name(me->map), def->value_size);
		else
			err =
			    ebpf_map_update(me->map, key, req->map_elem.value, req->map_elem.flags);
		break;
	default: /* CTL_MAP_DELETE_ELEM */
		err = ebpf_map_delete(me->map, key);
		break;
	}
	if (err && x->log.len == 0)
		refuse(x, err, "ctl: %s on map %u '%s': %s", cmd, me->id, map_name(me->map),
		       strerror(-err));
	snprintf(x->audit, x->audit_size, "ctl %s: %s map %u '%s': %s", x->channel, cmd, me->id,
		 map_name(me->map), err ? x->ctl->log_text : "ok");
	return err;
}

/*
 * Linux's BPF_MAP_LOOKUP_BATCH over get_next_key: as many entries after
 * the request's key as max_count and the reply's room allow.
 */
static int exec_map_batch(struct exec *x, const struct ctl_request *req)
{
	struct map_entry *me;
	int err = request_map(x, req->map_batch.map_id, req->map_batch.key_len, true, &me);
	if (err)
		return err;
	const struct ebpf_map_def *def = ebpf_map_get_def(me->map);
	size_t entry = (size_t)def->key_size + def->value_size;
	size_t room =
	    x->reply_room > CTL_BATCH_REPLY_FIXED ? x->reply_room - CTL_BATCH_REPLY_FIXED : 0;
	size_t max = room / (entry ? entry : 1);
	if (max > req->map_batch.max_count)
		max = req->map_batch.max_count;
	if (max == 0)
		return refuse(x, -ENOSPC, "ctl: not one entry of map %u fits the reply", me->id);
	uint8_t *out = malloc(max * entry + 1);
	if (!out)
		return refuse(x, -ENOMEM, "ctl: out of memory");
	x->scratch = out;
	const uint8_t *prev = req->map_batch.key_len ? req->map_batch.key : NULL;
	uint32_t count = 0;
	bool done = false;
	while (count < max) {
		uint8_t *key = out + count * entry;
		err = ebpf_map_get_next_key(me->map, prev, key);
		if (err == -ENOENT) {
			done = true;
			break;
		}
		if (err)
			return refuse(x, err, "ctl: BPF_MAP_LOOKUP_BATCH on map %u '%s': %s",
				      me->id, map_name(me->map), strerror(-err));
		err = ebpf_map_lookup(me->map, key, key + def->key_size);
		if (err)
			return refuse(x, err, "ctl: BPF_MAP_LOOKUP_BATCH on map %u '%s': %s",
				      me->id, map_name(me->map), strerror(-err));
		prev = key;
		count++;
	}
	x->reply.map_batch.count = count;
	x->reply.map_batch.done = done;
	x->reply.map_batch.key_size = def->key_size;
	x->reply.map_batch.value_size = def->value_size;
	x->reply.map_batch.entries = out;
	return 0;
}

static int exec_get_next_id(struct exec *x, const struct ctl_request *req)
{
	struct ctl *ctl = x->ctl;
	bool progs = req->type == CTL_PROG_GET_NEXT_ID;
	uint32_t slots = progs ? ctl->config.limits.max_progs : ctl->config.limits.max_maps;
	uint32_t best = 0;

	for (uint32_t i = 0; i < slots; i++) {
		uint32_t id = progs ? ctl->progs[i].id : ctl->maps[i].id;
		if (id > req->get_next_id.start_id && (best == 0 || id < best))
			best = id;
	}
	if (!best)
		return refuse(x, -ENOENT, "ctl: no %s id after %u", progs ? "program" : "map",
			      req->get_next_id.start_id);
	x->reply.next_id = best;
	return 0;
}

static int exec_info(struct exec *x, const struct ctl_request *req)
{
	struct ctl *ctl = x->ctl;
	x->reply.info_kind = req->info.kind;
	if (req->info.kind == CTL_OBJ_MAP) {
		struct map_entry *me = find_map(ctl, req->info.id);
		if (!me)
			return refuse(x, -ENOENT, "ctl: no map with id %u", req->info.id);
		const struct ebpf_map_def *def = ebpf_map_get_def(me->map);
		struct ctl_map_info *mi = &x->reply.map_info;
		*mi = (struct ctl_map_info){.id = me->id,
					    .object_id = me->object_id,
					    .type = def->type,
					    .key_size = def->key_size,
					    .value_size = def->value_size,
					    .max_entries = def->max_entries,
					    .flags = def->flags,
					    .bytes = me->bytes};
		snprintf(mi->name, sizeof(mi->name), "%s", map_name(me->map));
		return 0;
	}
	struct prog_entry *pe = find_prog(ctl, req->info.id);
	if (!pe)
		return refuse(x, -ENOENT, "ctl: no program with id %u", req->info.id);
	struct ctl_prog_info *pi = &x->reply.prog_info;
	size_t insns = 0, jited = 0;
	ebpf_prog_get_insns(pe->prog, &insns);
	ebpf_prog_get_jit_code(pe->prog, &jited);
	*pi = (struct ctl_prog_info){.id = pe->id,
				     .object_id = pe->object_id,
				     .type = ebpf_prog_get_type(pe->prog),
				     .xlated_insns = (uint32_t)insns,
				     .verified_insns = pe->verified_insns,
				     .jited_bytes = (uint32_t)jited,
				     .attached_ifindex = attached_ifindex(ctl, pe->id),
				     .run_cnt = pe->stats.run_cnt,
				     .run_time_ns = pe->stats.run_time_ns};
	const char *name = ebpf_prog_get_name(pe->prog);
	snprintf(pi->name, sizeof(pi->name), "%s", name ? name : "");
	return 0;
}

/* A program that may run at a NIC's XDP hook, by id. */
static int xdp_prog(struct exec *x, uint32_t id, struct prog_entry **pep)
{
	struct prog_entry *pe = find_prog(x->ctl, id);
	if (!pe)
		return refuse(x, -ENOENT, "ctl: no program with id %u", id);
	enum ebpf_prog_type type = ebpf_prog_get_type(pe->prog);
	enum ebpf_attach_type attach = ebpf_prog_get_expected_attach_type(pe->prog);
	if (!ebpf_attaches_to_device_xdp(type, attach))
		return refuse(x, -EINVAL,
			      "ctl: program %u (%s, expected attach type %s) cannot run at a "
			      "device's XDP hook",
			      id, ebpf_prog_type_name(type), ebpf_attach_type_name(type, attach));
	*pep = pe;
	return 0;
}

static int exec_attach(struct exec *x, const struct ctl_request *req)
{
	struct ctl *ctl = x->ctl;
	const struct ctl_attach_ops *ops = ctl->config.attach;
	uint32_t ifindex = req->attach.ifindex;
	struct attachment *at = ifindex ? find_attachment(ctl, ifindex) : NULL;
	struct prog_entry *pe = NULL, *old = NULL;
	int err = 0;

	if (req->attach.flags)
		return refuse(x, -EINVAL, "ctl: flags 0x%x: none are defined", req->attach.flags);
	if (ifindex == 0)
		return refuse(x, -EINVAL, "ctl: ifindex 0 is no device");
	switch (req->type) {
	case CTL_PROG_ATTACH:
		if (!ops || !ops->attach)
			return refuse(x, -EOPNOTSUPP, "ctl: this guest attaches no programs");
		if ((err = xdp_prog(x, req->attach.prog_id, &pe)))
			return err;
		if (at)
			return refuse(
			    x, -EBUSY,
			    "ctl: ifindex %u runs program %u: replace it (BPF_LINK_UPDATE)",
			    ifindex, at->prog_id);
		if (!(at = find_attachment(ctl, 0)))
			return refuse(x, -ENOSPC, "ctl: %u devices have programs, the limit",
				      ctl->config.limits.max_attachments);
		if ((err = ops->attach(ops->ctx, ifindex, pe->prog, &pe->stats, &x->log)))
			break;
		*at = (struct attachment){.ifindex = ifindex, .prog_id = pe->id};
		break;
	case CTL_LINK_UPDATE:
		if (!ops || !ops->replace)
			return refuse(x, -EOPNOTSUPP, "ctl: this guest replaces no programs");
		if (!at)
			return refuse(x, -ENOENT, "ctl: ifindex %u runs no program", ifindex);
		/* Linux's BPF_F_REPLACE: the program there must be the one expected */
		if (req->attach.old_prog_id && req->attach.old_prog_id != at->prog_id)
			return refuse(x, -EEXIST, "ctl: ifindex %u runs program %u, not %u",
				      ifindex, at->prog_id, req->attach.old_prog_id);
		if ((err = xdp_prog(x, req->attach.prog_id, &pe)))
			return err;
		old = find_prog(ctl, at->prog_id);
		if ((err =
			 ops->replace(ops->ctx, ifindex, old->prog, pe->prog, &pe->stats, &x->log)))
			break;
		at->prog_id = pe->id;
		break;
	default: /* CTL_PROG_DETACH */
		if (!ops || !ops->detach)
			return refuse(x, -EOPNOTSUPP, "ctl: this guest detaches no programs");
		if (!at)
			return refuse(x, -ENOENT, "ctl: ifindex %u runs no program", ifindex);
		if (req->attach.prog_id && req->attach.prog_id != at->prog_id)
			return refuse(x, -EEXIST, "ctl: ifindex %u runs program %u, not %u",
				      ifindex, at->prog_id, req->attach.prog_id);
		pe = find_prog(ctl, at->prog_id);
		if ((err = ops->detach(ops->ctx, ifindex, pe->prog, &x->log)))
			break;
		*at = (struct attachment){0};
		break;
	}
	snprintf(x->audit, x->audit_size, "ctl %s: %s ifindex %u prog %u: %s", x->channel,
		 ctl_cmd_name(req->type), ifindex, pe->id, err ? x->ctl->log_text : "ok");
	return err;
}

static int exec_unload(struct exec *x, const struct ctl_request *req)
{
	struct ctl *ctl = x->ctl;
	struct object_entry *oe = find_object(ctl, req->unload.object_id);

	if (!oe)
		return refuse(x, -ENOENT, "ctl: no object with id %u", req->unload.object_id);
	if (prog_is_attached(ctl, oe->prog_id))
		return refuse(x, -EBUSY,
			      "ctl: program %u of object %u is attached: detach it first",
			      oe->prog_id, oe->id);
	*find_prog(ctl, oe->prog_id) = (struct prog_entry){0};
	for (uint32_t i = 0; i < ctl->config.limits.max_maps; i++)
		if (ctl->maps[i].id && ctl->maps[i].object_id == oe->id) {
			ctl->map_bytes -= ctl->maps[i].bytes;
			ctl->maps[i] = (struct map_entry){0};
		}
	ebpf_object_free(oe->obj);
	snprintf(x->audit, x->audit_size, "ctl %s: UKBPF_OBJ_UNLOAD object %u (prog %u): ok",
		 x->channel, oe->id, oe->prog_id);
	*oe = (struct object_entry){0};
	return 0;
}

static int exec_request(struct exec *x, const struct ctl_request *req)
{
	switch (req->type) {
	case CTL_PROG_LOAD:
		return exec_prog_load(x, req);
	case CTL_MAP_LOOKUP_ELEM:
	case CTL_MAP_UPDATE_ELEM:
	case CTL_MAP_DELETE_ELEM:
	case CTL_MAP_GET_NEXT_KEY:
		return exec_map_elem(x, req);
	case CTL_MAP_LOOKUP_BATCH:
		return exec_map_batch(x, req);
	case CTL_PROG_GET_NEXT_ID:
	case CTL_MAP_GET_NEXT_ID:
		return exec_get_next_id(x, req);
	case CTL_OBJ_GET_INFO:
		return exec_info(x, req);
	case CTL_PROG_ATTACH:
	case CTL_PROG_DETACH:
	case CTL_LINK_UPDATE:
		return exec_attach(x, req);
	case CTL_ENABLE_STATS:
		if (req->stats.type != CTL_STATS_RUN_TIME)
			return refuse(x, -EINVAL, "ctl: stats type %u: only 0 (run time)",
				      req->stats.type);
		x->ctl->stats_enabled = req->stats.enable;
		snprintf(x->audit, x->audit_size, "ctl %s: BPF_ENABLE_STATS %s: ok", x->channel,
			 req->stats.enable ? "on" : "off");
		return 0;
	default: /* CTL_OBJ_UNLOAD: the decoder knows no other */
		return exec_unload(x, req);
	}
}

/* Whether a command may change state: those are audited, refused or not. */
static bool changes_state(uint16_t type)
{
	switch (type) {
	case CTL_MAP_LOOKUP_ELEM:
	case CTL_MAP_GET_NEXT_KEY:
	case CTL_MAP_LOOKUP_BATCH:
	case CTL_PROG_GET_NEXT_ID:
	case CTL_MAP_GET_NEXT_ID:
	case CTL_OBJ_GET_INFO:
		return false;
	default:
		return true;
	}
}

/* The type and seq of a message the decoder refused, as far as they are there. */
static void read_type_and_seq(const uint8_t *msg, size_t len, struct ctl_reply *reply)
{
	reply->type = CTL_BAD_REQUEST;
	if (len < CTL_HEADER_SIZE)
		return;
	uint16_t type = (uint16_t)(msg[6] | msg[7] << 8);
	if (ctl_cmd_name(type) && type != CTL_BAD_REQUEST)
		reply->type = type;
	reply->seq = (uint32_t)msg[8] | (uint32_t)msg[9] << 8 | (uint32_t)msg[10] << 16 |
		     (uint32_t)msg[11] << 24;
}

int ctl_execute(struct ctl *ctl, const char *channel, const void *msg, size_t len, void *reply,
		size_t reply_size, size_t *reply_len, char *audit, size_t audit_size)
{
	struct exec x = {.ctl = ctl,
			 .channel = channel,
			 .log = {.buf = ctl->log_text, .size = sizeof(ctl->log_text)},
			 .reply_room =
			     reply_size > CTL_HEADER_SIZE ? reply_size - CTL_HEADER_SIZE : 0,
			 .audit = audit,
			 .audit_size = audit_size};
	struct ctl_request req;
	int err;

	ctl->log_text[0] = '\0';
	if (audit_size)
		audit[0] = '\0';
	err = ctl_request_decode(msg, len, ctl->config.limits.max_request, &req, &x.log);
	if (err) {
		read_type_and_seq(msg, len, &x.reply);
		snprintf(audit, audit_size, "ctl %s: refused a malformed request: %.*s", channel,
			 (int)strcspn(ctl->log_text, "\n"), ctl->log_text);
	} else {
		x.reply.type = req.type;
		x.reply.seq = req.seq;
		err = exec_request(&x, &req);
		if (err && audit_size && !audit[0] && changes_state(req.type))
			snprintf(audit, audit_size, "ctl %s: %s: %.*s", channel,
				 ctl_cmd_name(req.type), (int)strcspn(ctl->log_text, "\n"),
				 ctl->log_text);
	}
	x.reply.status = err;
	if (err) {
		/* the reason, cut to what the reply holds */
		if (!ctl->log_text[0])
			snprintf(ctl->log_text, sizeof(ctl->log_text), "ctl: %s", strerror(-err));
		if (x.reply_room && strlen(ctl->log_text) >= x.reply_room)
			ctl->log_text[x.reply_room - 1] = '\0';
		x.reply.error = ctl->log_text;
	}
	int enc = ctl_reply_encode(&x.reply, reply, reply_size, reply_len);
	if (enc) {
		x.reply.status = err = enc;
		x.reply.error = "ctl: the reply does not fit the reply buffer";
		enc = ctl_reply_encode(&x.reply, reply, reply_size, reply_len);
		if (enc)
			*reply_len = 0;
	}
	free(x.scratch);
	return err;
}
