/*
 * lwIP configuration for ukbpf (see lwip/opt.h for every option).
 * Model: NO_SYS=1 — no threads; the application's main loop polls the
 * network interfaces and runs lwIP's timers (run to completion), so no
 * locking is needed anywhere on the packet path.
 */
#ifndef UKBPF_LWIPOPTS_H
#define UKBPF_LWIPOPTS_H

#define NO_SYS		     1
#define LWIP_SOCKET	     0 /* the sequential APIs need threads */
#define LWIP_NETCONN	     0
#define SYS_LIGHTWEIGHT_PROT 0

/* newlib's malloc backs lwIP's heap; pools stay lwIP's own. */
#define MEM_LIBC_MALLOC	 1
#define MEM_ALIGNMENT	 8
#define MEMP_NUM_TCP_PCB 32
#define MEMP_NUM_PBUF	 64
#define PBUF_POOL_SIZE	 256

#define LWIP_ARP      1
#define LWIP_ETHERNET 1
#define LWIP_IPV4     1
#define LWIP_IPV6     1
/* IPv6 reassembly keeps a pointer in each fragment's header unless told to copy: 64-bit
 * pointers do not fit there. */
#define IPV6_FRAG_COPYHEADER 1
#define LWIP_ICMP	     1
#define LWIP_UDP	     1
#define LWIP_TCP	     1
#define LWIP_DHCP	     1
/* No ARP probe of the leased address before using it: the probe waits
 * ~0.5-1 s, half of a cloud boot, and guards against a conflict that an
 * authoritative cloud or QEMU DHCP server does not create (Linux's
 * dhclient does not probe either). */
#define DHCP_DOES_ARP_CHECK	   0
#define LWIP_DNS		   1
#define LWIP_RAW		   1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1

#define TCP_MSS		 1460
#define TCP_WND		 (8 * TCP_MSS)
#define TCP_SND_BUF	 (8 * TCP_MSS)
#define MEMP_NUM_TCP_SEG TCP_SND_QUEUELEN

#define LWIP_STATS 1
/* 32-bit counters: /metrics reports them, and 16-bit ones wrap within seconds under load. */
#define LWIP_STATS_LARGE   1
#define LWIP_STATS_DISPLAY 0

/* Checksums are computed in software: virtio-net offloads are not negotiated. */
#define CHECKSUM_GEN_IP	  1
#define CHECKSUM_CHECK_IP 1

#endif /* UKBPF_LWIPOPTS_H */
