/*
 * firewall: a two-NIC stateless packet filter whose whole datapath is its
 * XDP program (bpf/firewall.c): frames from blocked IPv4 or IPv6 sources
 * or to blocked TCP/UDP ports are dropped, frames for the firewall's own
 * address (eth0's IPv4, from ip= or DHCP) go to lwIP (so it answers ARP
 * and ping), and everything else is forwarded unchanged out of the other
 * NIC.
 * Arguments (after "--"), repeatable, up to FIREWALL_RULES_MAX of each kind
 * (IPv4 prefixes, IPv6 prefixes, ports):
 *   block PREFIX  drop frames from a source in PREFIX: A.B.C.D/LEN or an
 *                 IPv6 address (RFC 4291 §2.2, without a dotted quad) with
 *                 /LEN; without "/LEN" one address (a /32, a /128)
 *   allow PREFIX  let through frames from PREFIX although a shorter block
 *                 prefix holds it: of all the source rules of a family,
 *                 the longest prefix that holds the source decides (an LPM
 *                 trie), e.g. "block 10.0.0.0/8 allow 10.1.0.0/16"
 *   block tcp:N   drop TCP segments to port N (1..65535), whatever the
 *                 source rules say
 *   block udp:N   drop UDP datagrams to port N
 * A prefix's host bits must be clear ("10.0.0.1/8" is refused, naming
 * 10.0.0.0/8), as ip route refuses them: a rule that means something else
 * than it says is a mistake to report, not to guess at.
 * A bad or repeated rule is refused with a message and exit status 2;
 * without the program attached or without two NICs the status is 1.
 *
 * Run: make run APP=firewall CMDLINE='-- block 10.0.0.0/8 allow 10.0.2.0/24 block udp:53'
 * boots it with bpf/firewall.c attached and two NICs on QEMU's user
 * network (eth0 gets its address by DHCP); for real traffic give it two
 * NICs that lead somewhere, e.g. RUN_FLAGS="--net-udp A:B --net-udp C:D
 * --bpf build/apps/firewall/firewall.bpf.o" (tests/system/test_firewall.py).
 *
 * Prints each rule it loaded ("firewall: block ..."), then
 * "firewall: forwarding between eth0 and eth1 (own address A.B.C.D)", and
 * every FIREWALL_REPORT_MS in which a count changed:
 *   firewall: passed N redirected N dropped N malformed N
 *   firewall: rule block RULE dropped N     (for each rule whose count changed;
 *   firewall: rule allow PREFIX matched N    allow rules count what they let by)
 * (the program's counts: to lwIP, forwarded, every drop, and of those the
 * malformed frames). Runs until the guest is stopped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/firewall.h"
#include "bpf_boot.h"
#include "ebpf.h"
#include "lwip/def.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "net.h"

#define FIREWALL_REPORT_MS 2000
#define FIREWALL_NICS	   2
#define IP_PROTOCOL_TCP	   6 /* RFC 790 */
#define IP_PROTOCOL_UDP	   17
#define PORT_MAX	   65535
#define IP4_OCTETS	   4
#define IP4_OCTET_MAX	   255
#define IP4_OCTET_DIGITS   3
#define IP4_BYTES	   4
#define BITS_PER_BYTE	   8
#define IP6_GROUPS	   8 /* RFC 4291 §2.2: eight 16-bit pieces */
#define IP6_GROUP_DIGITS   4
#define HEX_BASE	   16
#define PREFIX_LEN_DIGITS  3 /* up to /128 */
#define RULE_WHY_MAX	   128
#define EXIT_NO_NETWORK	   1
#define EXIT_USAGE	   2

struct firewall_rule {
	bool allow;	      /* an allow rule; else block */
	const char *text;     /* as given, e.g. "tcp:22", "10.0.0.0/8" */
	struct ebpf_map *map; /* fw.sources, fw.sources6 or fw.ports */
	union {
		struct firewall_prefix_key prefix;   /* in fw.sources */
		struct firewall_prefix6_key prefix6; /* in fw.sources6 */
		uint32_t port;			     /* FIREWALL_PORT_KEY, in fw.ports */
	} key;
	uint64_t reported;
};

struct firewall {
	struct ebpf_map *config, *sources, *sources6, *ports, *forward, *counts;
	struct firewall_rule rules[2 * FIREWALL_RULES_MAX];
	size_t rule_count;
	uint32_t config_address;
	uint64_t reported[FIREWALL_COUNTS];
};

static struct firewall fw;

/* Strict dotted quad into network byte order; false when text is anything else. */
static bool parse_ip4(const char *text, uint32_t *address)
{
	uint8_t octets[IP4_OCTETS];

	for (int i = 0; i < IP4_OCTETS; i++) {
		if (i > 0 && *text++ != '.')
			return false;
		unsigned value = 0, digits = 0;
		for (; *text >= '0' && *text <= '9'; text++) {
			value = value * 10 + (unsigned)(*text - '0');
			if (++digits > IP4_OCTET_DIGITS || value > IP4_OCTET_MAX)
				return false;
		}
		if (digits == 0)
			return false;
		octets[i] = (uint8_t)value;
	}
	if (*text != '\0')
		return false;
	memcpy(address, octets, sizeof(*address));
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * RFC 4291 §2.2's text forms 1 and 2 (eight groups of 1-4 hex digits, or
 * fewer with one "::" for the zero groups) into network byte order; false
 * when text is anything else (also form 3, a trailing dotted quad).
 */
static bool parse_ip6(const char *text, uint8_t address[FIREWALL_IP6_BYTES])
{
	uint16_t groups[IP6_GROUPS];
	int count = 0, gap = -1; /* gap: where "::" stands, in groups */

	if (text[0] == ':' && text[1] == ':') {
		gap = 0;
		text += 2;
	}
	while (*text) {
		unsigned value = 0, digits = 0;
		for (; hex_digit(*text) >= 0; text++) {
			value = value * HEX_BASE + (unsigned)hex_digit(*text);
			if (++digits > IP6_GROUP_DIGITS)
				return false;
		}
		if (digits == 0 || count == IP6_GROUPS)
			return false;
		groups[count++] = (uint16_t)value;
		if (*text == '\0')
			break;
		if (*text++ != ':' || *text == '\0')
			return false;
		if (*text == ':') {
			if (gap >= 0)
				return false;
			gap = count;
			text++;
		}
	}
	if (gap < 0 ? count != IP6_GROUPS : count >= IP6_GROUPS)
		return false;
	memset(address, 0, FIREWALL_IP6_BYTES);
	for (int i = 0; i < count; i++) {
		/* Groups after the gap end the address. */
		int at = i < gap || gap < 0 ? i : IP6_GROUPS - count + i;
		address[2 * at] = (uint8_t)(groups[i] >> 8);
		address[2 * at + 1] = (uint8_t)groups[i];
	}
	return true;
}

/* An address prefix of either family, in network byte order. */
struct prefix {
	uint8_t address[FIREWALL_IP6_BYTES]; /* the first bytes bytes */
	size_t bytes;			     /* IP4_BYTES or FIREWALL_IP6_BYTES */
	uint32_t len;
};

/* The prefix's address with every bit past len cleared. */
static void prefix_network(const struct prefix *prefix, uint8_t *network)
{
	for (size_t i = 0; i < prefix->bytes; i++) {
		uint32_t bits_before = BITS_PER_BYTE * (uint32_t)i;
		if (prefix->len >= bits_before + BITS_PER_BYTE)
			network[i] = prefix->address[i];
		else if (prefix->len <= bits_before)
			network[i] = 0;
		else
			network[i] =
			    prefix->address[i] &
			    (uint8_t)(UINT8_MAX << (BITS_PER_BYTE - (prefix->len - bits_before)));
	}
}

static void format_address(const uint8_t *address, size_t bytes, char *text, size_t size)
{
	if (bytes == IP4_BYTES) {
		ip4_addr_t ip4;
		memcpy(&ip4.addr, address, IP4_BYTES);
		ip4addr_ntoa_r(&ip4, text, (int)size);
	} else {
		ip6_addr_t ip6;
		ip6_addr_set_zero(&ip6);
		memcpy(ip6.addr, address, FIREWALL_IP6_BYTES);
		ip6addr_ntoa_r(&ip6, text, (int)size);
		/* lwIP writes upper case; RFC 5952 §4.3 recommends lower. */
		for (char *c = text; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
}

/*
 * "A.B.C.D[/N]" or an IPv6 address with an optional "/N" (without it: one
 * address, a /32 or /128). Returns 0, or -EINVAL with why (RULE_WHY_MAX
 * bytes) saying what is wrong: "" when text is no address at all (it may
 * be another kind of rule).
 */
static int parse_prefix(const char *text, struct prefix *prefix, char *why)
{
	const char *slash = strchr(text, '/');
	size_t address_len = slash ? (size_t)(slash - text) : strlen(text);
	char address_text[IP6ADDR_STRLEN_MAX];

	why[0] = '\0';
	if (address_len >= sizeof(address_text))
		return -EINVAL;
	memcpy(address_text, text, address_len);
	address_text[address_len] = '\0';
	uint32_t address4;
	if (parse_ip4(address_text, &address4)) {
		memcpy(prefix->address, &address4, IP4_BYTES);
		prefix->bytes = IP4_BYTES;
	} else if (parse_ip6(address_text, prefix->address))
		prefix->bytes = FIREWALL_IP6_BYTES;
	else
		return -EINVAL;
	uint32_t bits = BITS_PER_BYTE * (uint32_t)prefix->bytes;
	prefix->len = bits;
	if (slash) {
		const char *digits = slash + 1;
		size_t count = strspn(digits, "0123456789");
		prefix->len = 0;
		for (size_t i = 0; i < count && i < PREFIX_LEN_DIGITS; i++)
			prefix->len = prefix->len * 10 + (uint32_t)(digits[i] - '0');
		if (count == 0 || count > PREFIX_LEN_DIGITS || digits[count] != '\0' ||
		    prefix->len > bits) {
			snprintf(why, RULE_WHY_MAX, "prefix length '%s' is not 0..%u", digits,
				 (unsigned)bits);
			return -EINVAL;
		}
	}
	uint8_t network[FIREWALL_IP6_BYTES];
	prefix_network(prefix, network);
	if (memcmp(network, prefix->address, prefix->bytes) != 0) {
		char network_text[IP6ADDR_STRLEN_MAX];
		format_address(network, prefix->bytes, network_text, sizeof(network_text));
		snprintf(why, RULE_WHY_MAX, "host bits set (the /%u that holds %s is %s/%u)",
			 (unsigned)prefix->len, address_text, network_text, (unsigned)prefix->len);
		return -EINVAL;
	}
	return 0;
}

/* The "PROTOCOL:" prefixes of port rules. */
static const struct {
	const char *prefix;
	unsigned protocol;
} port_rule_protocols[] = {
    {"tcp:", IP_PROTOCOL_TCP},
    {"udp:", IP_PROTOCOL_UDP},
};

/* "tcp:N" or "udp:N" into FIREWALL_PORT_KEY; false when text is anything else. */
static bool parse_port_rule(const char *text, uint32_t *key)
{
	for (size_t i = 0; i < sizeof(port_rule_protocols) / sizeof(port_rule_protocols[0]); i++) {
		size_t prefix_len = strlen(port_rule_protocols[i].prefix);
		if (strncmp(text, port_rule_protocols[i].prefix, prefix_len) != 0)
			continue;
		const char *port = text + prefix_len;
		char *end;
		unsigned long value = strtoul(port, &end, 10);
		if (*port < '0' || *port > '9' || *end != '\0' || value < 1 || value > PORT_MAX)
			return false;
		*key = FIREWALL_PORT_KEY(port_rule_protocols[i].protocol, value);
		return true;
	}
	return false;
}

static const char *rule_verb(bool allow)
{
	return allow ? "allow" : "block";
}

/* The rule's entry in its map, new; prints why and returns -EINVAL when it cannot be added. */
static int add_rule_entry(const struct firewall_rule *rule)
{
	const char *verb = rule_verb(rule->allow);
	int err;

	if (rule->map == fw.ports) {
		const uint64_t no_drops = 0;
		err = ebpf_map_update(fw.ports, &rule->key.port, &no_drops, EBPF_NOEXIST);
	} else {
		struct firewall_source_rule value = {.action = rule->allow ? FIREWALL_ALLOW
									   : FIREWALL_BLOCK};
		err = ebpf_map_update(rule->map, &rule->key, &value, EBPF_NOEXIST);
	}
	/* Each map refuses its FIREWALL_RULES_MAX + 1st key, so rules[] never overflows. */
	if (err == -EEXIST)
		fprintf(stderr, "firewall: %s %s: listed twice\n", verb, rule->text);
	else if (err)
		fprintf(stderr, "firewall: %s %s: more than %d rules of its kind\n", verb,
			rule->text, FIREWALL_RULES_MAX);
	return err ? -EINVAL : 0;
}

/* The prefix as rule's key, in its family's map. */
static void set_prefix_key(struct firewall_rule *rule, const struct prefix *prefix)
{
	if (prefix->bytes == IP4_BYTES) {
		rule->map = fw.sources;
		rule->key.prefix.prefixlen = prefix->len;
		memcpy(&rule->key.prefix.address, prefix->address, IP4_BYTES);
	} else {
		rule->map = fw.sources6;
		rule->key.prefix6.prefixlen = prefix->len;
		memcpy(rule->key.prefix6.address, prefix->address, FIREWALL_IP6_BYTES);
	}
}

/* Adds "block TEXT" or "allow TEXT" to its map; prints why and returns -EINVAL when it cannot. */
static int add_rule(bool allow, const char *text)
{
	struct firewall_rule rule = {.allow = allow, .text = text};
	const char *verb = rule_verb(allow);
	char why[RULE_WHY_MAX];
	struct prefix prefix;

	if (parse_prefix(text, &prefix, why) == 0)
		set_prefix_key(&rule, &prefix);
	else if (why[0]) { /* an address, but no valid prefix */
		fprintf(stderr, "firewall: %s %s: %s\n", verb, text, why);
		return -EINVAL;
	} else if (!allow && parse_port_rule(text, &rule.key.port))
		rule.map = fw.ports;
	else {
		if (allow)
			fprintf(stderr,
				"firewall: allow %s: expected a prefix A.B.C.D[/LEN] or "
				"X:X::X[/LEN]\n",
				text);
		else
			fprintf(stderr,
				"firewall: block %s: expected a prefix A.B.C.D[/LEN] or "
				"X:X::X[/LEN], tcp:PORT or udp:PORT with PORT 1..%d\n",
				text, PORT_MAX);
		return -EINVAL;
	}
	if (add_rule_entry(&rule) < 0)
		return -EINVAL;
	fw.rules[fw.rule_count++] = rule;
	printf("firewall: %s %s\n", verb, text);
	return 0;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		bool block = strcmp(argv[i], "block") == 0;
		if ((block || strcmp(argv[i], "allow") == 0) && i + 1 < argc) {
			if (add_rule(!block, argv[++i]) < 0)
				return -EINVAL;
			continue;
		}
		fprintf(stderr,
			"firewall: bad argument %s (usage: block PREFIX | tcp:PORT | udp:PORT, "
			"allow PREFIX, repeatable; PREFIX A.B.C.D[/LEN] or X:X::X[/LEN])\n",
			argv[i]);
		return -EINVAL;
	}
	return 0;
}

/* bpf/firewall.c's maps; false (printed) when no attached object has them all. */
static bool find_maps(void)
{
	fw.config = bpf_boot_find_map("firewall_config");
	fw.sources = bpf_boot_find_map("source_rules");
	fw.sources6 = bpf_boot_find_map("source6_rules");
	fw.ports = bpf_boot_find_map("blocked_ports");
	fw.forward = bpf_boot_find_map("firewall_forward");
	fw.counts = bpf_boot_find_map("firewall_counts");
	if (fw.config && fw.sources && fw.sources6 && fw.ports && fw.forward && fw.counts)
		return true;
	fprintf(stderr, "firewall: its XDP program is not attached "
			"(scripts/run.sh --bpf build/apps/firewall/firewall.bpf.o)\n");
	return false;
}

/* eth0's address into the program's config, when it changed (a DHCP lease may come late). */
static void sync_address(void)
{
	uint32_t key = FIREWALL_CONFIG_ADDRESS;
	uint32_t address = ip4_addr_get_u32(netif_ip4_addr(net_interface(0)));

	if (address != fw.config_address) {
		/* An array's keys below max_entries always exist: cannot fail. */
		ebpf_map_update(fw.config, &key, &address, EBPF_ANY);
		fw.config_address = address;
	}
}

/* ifindex 1 (eth0) forwards to 2 (eth1) and back. */
static void fill_forward_map(void)
{
	for (uint32_t from = 1; from <= FIREWALL_NICS; from++) {
		uint32_t to = from % FIREWALL_NICS + 1;
		ebpf_map_update(fw.forward, &from, &to, EBPF_ANY);
	}
}

static uint64_t map_u64(struct ebpf_map *map, const void *key)
{
	uint64_t value = 0;

	ebpf_map_lookup(map, key, &value);
	return value;
}

/* The frames the program counted for rule: dropped, or for an allow rule let by. */
static uint64_t rule_count(const struct firewall_rule *rule)
{
	struct firewall_source_rule value = {0};

	if (rule->map == fw.ports)
		return map_u64(fw.ports, &rule->key.port);
	ebpf_map_lookup(rule->map, &rule->key, &value);
	return value.matched;
}

/* lwIP timer (NO_SYS: it runs from net_run's loop): the periodic lines. */
static void report(void *arg)
{
	uint64_t counts[FIREWALL_COUNTS];

	sync_address();
	for (uint32_t key = 0; key < FIREWALL_COUNTS; key++)
		counts[key] = map_u64(fw.counts, &key);
	if (memcmp(counts, fw.reported, sizeof(counts)) != 0) {
		printf("firewall: passed %llu redirected %llu dropped %llu malformed %llu\n",
		       (unsigned long long)counts[FIREWALL_PASSED],
		       (unsigned long long)counts[FIREWALL_REDIRECTED],
		       (unsigned long long)counts[FIREWALL_DROPPED],
		       (unsigned long long)counts[FIREWALL_MALFORMED]);
		memcpy(fw.reported, counts, sizeof(counts));
	}
	for (size_t i = 0; i < fw.rule_count; i++) {
		struct firewall_rule *rule = &fw.rules[i];
		uint64_t count = rule_count(rule);
		if (count != rule->reported) {
			printf("firewall: rule %s %s %s %llu\n", rule_verb(rule->allow), rule->text,
			       rule->allow ? "matched" : "dropped", (unsigned long long)count);
			rule->reported = count;
		}
	}
	sys_timeout(FIREWALL_REPORT_MS, report, NULL);
}

int main(int argc, char **argv)
{
	/* The maps exist from boot: the rules are in place before the first frame. */
	if (!find_maps())
		return EXIT_NO_NETWORK;
	if (parse_args(argc, argv) < 0)
		return EXIT_USAGE;
	fill_forward_map();
	if (net_init() < 0)
		return EXIT_NO_NETWORK;
	if (net_interface_count() != FIREWALL_NICS) {
		fprintf(stderr, "firewall: needs exactly %d NICs, found %zu\n", FIREWALL_NICS,
			net_interface_count());
		return EXIT_NO_NETWORK;
	}
	sync_address();
	char address[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(netif_ip4_addr(net_interface(0)), address, sizeof(address));
	printf("firewall: forwarding between eth0 and eth1 (own address %s)\n", address);
	sys_timeout(FIREWALL_REPORT_MS, report, NULL);
	net_run(NULL, NULL, NET_NO_DEADLINE);
	return 0;
}
