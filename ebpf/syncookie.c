/*
 * SYN cookies (syncookie.h): Linux's encoding with mbed TLS's HMAC-SHA-256
 * as the keyed hash.
 */
#include "syncookie.h"

#include <string.h>

#include "ebpf.h"
#include "mbedtls/md.h"

/* Linux's COOKIEBITS: the low 24 bits carry h2 + mss_index, the top 8 the count. */
#define COOKIE_BITS 24
#define COOKIE_MASK ((1u << COOKIE_BITS) - 1)
/* MAX_SYNCOOKIE_AGE, in counts of TCP_SYNCOOKIE_PERIOD (a minute). */
#define COOKIE_MAX_AGE	 2
#define COOKIE_PERIOD_NS (60ull * 1000000000ull)
#define MSS_TABLE_SIZE	 4
#define KEY_BYTES	 32
#define IPV4_ADDR_BYTES	 4
#define IPV6_ADDR_BYTES	 16
/* which, count, two addresses, two ports */
#define MAC_INPUT_MAX (1 + sizeof(uint32_t) + 2 * IPV6_ADDR_BYTES + 2 * sizeof(uint16_t))

/* TCP option kinds and the MSS option's length (RFC 9293 §3.2). */
#define TCP_OPT_EOL	0
#define TCP_OPT_NOP	1
#define TCP_OPT_MSS	2
#define TCP_OPT_MSS_LEN 4
#define TCP_HDR_BYTES	20
#define TCP_DOFF_BYTE	12 /* data offset in the high nibble, in 32-bit words */

/* Linux's msstab: the MSS values a cookie can encode, by address family. */
static const uint16_t mss_table_v4[MSS_TABLE_SIZE] = {536, 1300, 1440, 1460};
static const uint16_t mss_table_v6[MSS_TABLE_SIZE] = {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60};

/* The MAC keyed once per boot (or host process); NULL until first used. */
static mbedtls_md_context_t mac;
static bool mac_ready;

static bool mac_init(void)
{
	const struct ebpf_platform *platform = ebpf_get_platform();
	uint8_t key[KEY_BYTES];
	size_t i;
	int err;

	if (mac_ready)
		return true;
	for (i = 0; i < KEY_BYTES; i += sizeof(uint32_t)) {
		uint32_t word = platform->random_u32 ? platform->random_u32() : 0;

		memcpy(key + i, &word, sizeof(word));
	}
	mbedtls_md_init(&mac);
	err = mbedtls_md_setup(&mac, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
	if (!err)
		err = mbedtls_md_hmac_starts(&mac, key, sizeof(key));
	memset(key, 0, sizeof(key));
	if (err) {
		mbedtls_md_free(&mac);
		return false;
	}
	mac_ready = true;
	return true;
}

/* Linux's cookie_hash(saddr, daddr, sport, dport, count, which): false without memory. */
static bool cookie_hash(const struct syncookie_flow *flow, uint32_t count, uint8_t which,
			uint32_t *hash)
{
	size_t addr_bytes = flow->ipv6 ? IPV6_ADDR_BYTES : IPV4_ADDR_BYTES, n = 0;
	uint8_t input[MAC_INPUT_MAX], digest[32];

	if (!mac_init())
		return false;
	input[n++] = which;
	memcpy(input + n, &count, sizeof(count));
	n += sizeof(count);
	memcpy(input + n, flow->saddr, addr_bytes);
	n += addr_bytes;
	memcpy(input + n, flow->daddr, addr_bytes);
	n += addr_bytes;
	memcpy(input + n, &flow->sport, sizeof(flow->sport));
	n += sizeof(flow->sport);
	memcpy(input + n, &flow->dport, sizeof(flow->dport));
	n += sizeof(flow->dport);
	if (mbedtls_md_hmac_reset(&mac) || mbedtls_md_hmac_update(&mac, input, n) ||
	    mbedtls_md_hmac_finish(&mac, digest))
		return false;
	memcpy(hash, digest, sizeof(*hash));
	return true;
}

/* Linux's tcp_cookie_time(): minutes of the monotonic clock. */
static uint32_t cookie_time(void)
{
	const struct ebpf_platform *platform = ebpf_get_platform();

	return platform->ktime_ns ? (uint32_t)(platform->ktime_ns() / COOKIE_PERIOD_NS) : 0;
}

static const uint16_t *mss_table(const struct syncookie_flow *flow)
{
	return flow->ipv6 ? mss_table_v6 : mss_table_v4;
}

uint32_t syncookie_make(const struct syncookie_flow *flow, uint32_t seq, uint16_t *mss)
{
	const uint16_t *table = mss_table(flow);
	uint32_t count = cookie_time(), h1, h2, index;

	for (index = MSS_TABLE_SIZE - 1; index; index--) {
		if (*mss >= table[index])
			break;
	}
	/* Without its MAC no cookie can be checked: no MSS, as Linux's "no cookie". */
	if (!cookie_hash(flow, 0, 0, &h1) || !cookie_hash(flow, count, 1, &h2)) {
		*mss = 0;
		return 0;
	}
	*mss = table[index];
	return h1 + seq + (count << COOKIE_BITS) + ((h2 + index) & COOKIE_MASK);
}

uint16_t syncookie_check(const struct syncookie_flow *flow, uint32_t seq, uint32_t cookie)
{
	uint32_t count = cookie_time(), h1, h2, age, index;

	if (!cookie_hash(flow, 0, 0, &h1))
		return 0;
	cookie -= h1 + seq;
	/* Now (count << 24) + (h2 + index) mod 2^24: the count's 8 bits wrap. */
	age = (count - (cookie >> COOKIE_BITS)) & (UINT32_MAX >> COOKIE_BITS);
	if (age >= COOKIE_MAX_AGE || !cookie_hash(flow, count - age, 1, &h2))
		return 0;
	index = (cookie - h2) & COOKIE_MASK;
	return index < MSS_TABLE_SIZE ? mss_table(flow)[index] : 0;
}

uint16_t syncookie_parse_mss(const uint8_t *th)
{
	const uint8_t *opt = th + TCP_HDR_BYTES;
	int length = (th[TCP_DOFF_BYTE] >> 4) * 4 - TCP_HDR_BYTES;
	uint16_t mss = 0;

	while (length > 0) {
		int kind = *opt++, size;

		if (kind == TCP_OPT_EOL)
			return mss;
		if (kind == TCP_OPT_NOP) {
			length--;
			continue;
		}
		if (length < 2)
			return mss;
		size = *opt++;
		/* "silly options" and options cut short end the parse, as in Linux */
		if (size < 2 || size > length)
			return mss;
		if (kind == TCP_OPT_MSS && size == TCP_OPT_MSS_LEN) {
			uint16_t in_mss = (uint16_t)(opt[0] << 8 | opt[1]);

			if (in_mss)
				mss = in_mss;
		}
		opt += size - 2;
		length -= size;
	}
	return mss;
}
