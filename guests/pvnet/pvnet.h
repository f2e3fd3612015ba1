/* pvnet's shared pieces: its ports, frames and roles (main.c: ping and isolation; qos.c:
 * rate limits; loop.c: round trips in either virtio mode; scale.c: the scaling bench; wire.c:
 * the uplink to a NIC's wire). */
#ifndef PVNET_H
#define PVNET_H

#include "guest.h"
#include "virtio_pci.h"

#define SPINS 400000000ull
#define ETHERTYPE 0x88b5            /* local experimental */
#define FRAME_LEN 128               /* the ping role's frames */
#define MAX_FRAME 1000              /* the longest frame a role sends */
#define BUF_LEN (12 + 1514)         /* header and the largest frame: no mergeable buffers */
#define NPORTS 2

enum kind { K_PING = 1, K_PONG, K_SPOOF, K_VLAN, K_DONE, K_EGRESS, K_FLOOD, K_END };

struct port {
    struct vdisk d;
    struct vio_ring rx, tx;
    uint8_t mac[6];
    uint8_t rxbuf[VQ_SIZE][BUF_LEN] __attribute__((aligned(64)));
    uint8_t txbuf[VQ_SIZE][12 + MAX_FRAME] __attribute__((aligned(64)));
    uint16_t tx_next, tx_out;       /* descriptors handed out, completions seen */
};
extern struct port ports[NPORTS];

struct rx {
    uint8_t src[6];
    enum kind kind;
    uint32_t seq;
    uint32_t len;                   /* frame bytes */
    uint64_t value;                 /* the 8 bytes after seq */
    bool intact;                    /* a ping-role frame: length and payload as sent */
};

/* Sends one frame of flen bytes (at least 27), `kind` and `seq`, and *value after seq if
 * value is not NULL, to dst from src; false if no transmit descriptor came back in time. */
bool send_frame(struct port *p, const uint8_t dst[6], const uint8_t src[6], enum kind kind,
                uint32_t seq, uint32_t flen, const uint64_t *value);
/* Counts the transmit completions that came back on p. */
void take_completions(struct port *p);
/* Waits until every frame sent from p has been decided on by the switch. */
bool drain_tx(struct port *p);
/* Takes one received frame of port p if there is one (its buffer goes back to the device). */
bool recv(struct port *p, struct rx *r);
/* The MAC given on the command line as word=0x... */
const uint8_t *peer_mac(const char *cmdline, const char *word, uint8_t out[6]);

__attribute__((noreturn)) void role_qos_src(const char *cmdline);
__attribute__((noreturn)) void role_qos_sink(const char *cmdline);
/* Round trips between its own two ports; irqs: the receive interrupts taken. */
__attribute__((noreturn)) void role_loop(const char *cmdline, const volatile uint64_t *irqs);
/* Pings to a station on the NIC's wire through the switch's uplink (wire.c). */
__attribute__((noreturn)) void role_wire(const char *cmdline, const volatile uint64_t *irqs);
/* Throughput from its port 0 to its port 1 for the scaling bench. */
__attribute__((noreturn)) void role_scale(const char *cmdline);

#endif
