/*
 * lwIP's link layer on a netdev (private to net/): what lwIP calls to send
 * a frame, and what the receive path calls to hand lwIP one.
 */
#ifndef UKBPF_NETIF_NETDEV_H
#define UKBPF_NETIF_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/err.h"

struct netif;

/* netif_add()'s init callback; netif->state must be the struct netdev. */
err_t netif_netdev_init(struct netif *netif);

/*
 * Copies a received frame into a pbuf (the one copy on the receive path)
 * and gives it to netif's input function; a frame that finds no pbuf is
 * dropped and counted (lwIP's link stats). netif_arg is the struct netif:
 * the signature is xdp_hook_pass_fn's.
 */
void netif_netdev_input(void *netif_arg, uint8_t *frame, size_t len);

#endif /* UKBPF_NETIF_NETDEV_H */
