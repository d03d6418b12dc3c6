/*
 * net/inet_chksum.c - the Internet checksum, RFC 1071.
 *
 * The sum is kept as a plain number: the data's 16-bit words are read
 * big-endian (network order) into a 32-bit accumulator whose carries are
 * folded back in at the end (RFC 1071 2(B): ones' complement addition is
 * "end-around carry"). The results are turned into the data's byte order
 * only on the way out, so a caller stores them into a header unchanged.
 *
 * Speed (RFC 1071 2(C), 4): the bulk of a segment is summed 32 bits at a
 * time in the CPU's own (little-endian) byte order into a 64-bit
 * accumulator, four words per loop turn, and the folded sum's two bytes
 * are swapped once at the end (RFC 1071 2(B) again: byte order does not
 * change the sum, only which byte of it is which). Data that starts at an
 * odd address (received and sent TCP/UDP payloads never do) has its first
 * byte added on its own and the rest summed the same way. This is the hottest loop of a bulk transfer: the file is
 * built with -O2 even in the debug build (boards/lm3s6965evb/board.mk).
 *
 * Chains: a pbuf of odd length leaves the next pbuf's first byte in the
 * low half of a word. Rather than carry a byte over, the accumulator is
 * byte-swapped and the next pbuf summed as if it started a word; a second
 * odd pbuf swaps back (RFC 1071 2(B): the sum is byte-order independent,
 * so swapping the sum is the same as swapping every word in it).
 */
#include <stdint.h>

#include "lwip/inet_chksum.h"
#include "lwip/def.h"

static u16_t fold(u32_t acc)
{
    acc = FOLD_U32T(acc);
    acc = FOLD_U32T(acc);
    return (u16_t)acc;
}

static u16_t swap16(u16_t w)
{
    return (u16_t)SWAP_BYTES_IN_WORD(w);
}

/* Loads of whole words from byte buffers (no strict-aliasing surprises). */
typedef u16_t __attribute__((may_alias)) u16_alias_t;
typedef u32_t __attribute__((may_alias)) u32_alias_t;

/* Folded sum of the little-endian 16-bit words of b (b at an even
 * address); a last odd byte is the low half of a word. */
static u16_t sum_le(const u8_t *b, u32_t len)
{
    uint64_t acc = 0;
    if (((uintptr_t)b & 2) && len >= 2) {     /* up to a word boundary */
        acc += *(const u16_alias_t *)b;
        b += 2;
        len -= 2;
    }
    const u32_alias_t *w = (const u32_alias_t *)b;
    for (; len >= 16; len -= 16, w += 4)
        acc += (uint64_t)w[0] + w[1] + w[2] + w[3];
    for (; len >= 4; len -= 4)
        acc += *w++;
    b = (const u8_t *)w;
    if (len >= 2) {
        acc += *(const u16_alias_t *)b;
        b += 2;
        len -= 2;
    }
    if (len)
        acc += b[0];
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    return fold((u32_t)acc);
}

/* Sum of the big-endian 16-bit words of b; a last odd byte is the high
 * half of a word whose low half is zero (RFC 1071 4.1). */
static u32_t sum_words(const u8_t *b, u32_t len, u32_t acc)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (!((uintptr_t)b & 1))
        return acc + swap16(sum_le(b, len));
    /* At an odd address: b[0] is the high half of the first word, and
     * the little-endian words from b + 1 on are the rest of the data's
     * big-endian words with the bytes paired the other way round, which
     * is the same sum: b[1] + (b[2] << 8) = the low half of word 0 plus
     * the high half of word 1 (RFC 1071 2(B)). */
    if (len == 0)
        return acc;
    return acc + ((u32_t)b[0] << 8) + sum_le(b + 1, len - 1);
#else
    while (len >= 2) {
        acc += (u32_t)b[0] << 8 | b[1];
        b += 2;
        len -= 2;
        if (acc & 0x80000000u)
            acc = FOLD_U32T(acc);   /* keep room for more carries */
    }
    if (len)
        acc += (u32_t)b[0] << 8;
    return acc;
#endif
}

u16_t lwip_standard_chksum(const void *dataptr, int len)
{
    if (len <= 0)
        return 0;
    return lwip_htons(fold(sum_words(dataptr, (u32_t)len, 0)));
}

u16_t inet_chksum(const void *dataptr, u16_t len)
{
    return (u16_t)~lwip_standard_chksum(dataptr, len);
}

/* The (folded, uncomplemented, numeric) sum of the first `len` bytes of
 * the chain p, with the swap trick for pbufs that end on an odd byte. */
static u16_t sum_chain(const struct pbuf *p, u32_t len)
{
    u16_t acc = 0;
    int swapped = 0;
    for (; p != NULL && len > 0; p = p->next) {
        u32_t n = LWIP_MIN((u32_t)p->len, len);
        acc = fold(sum_words(p->payload, n, acc));
        len -= n;
        if (n & 1) {
            swapped = !swapped;
            acc = swap16(acc);
        }
    }
    return swapped ? swap16(acc) : acc;
}

u16_t inet_chksum_pbuf(struct pbuf *p)
{
    return (u16_t)~lwip_htons(sum_chain(p, p ? p->tot_len : 0));
}

/* The pseudo-header's words: source and destination address (each two
 * words, in network order in memory: as numbers, the halves of the
 * address in host order), zero and protocol, length (RFC 768, RFC 9293 3.1). */
static u32_t sum_pseudo(u8_t proto, u16_t proto_len, const ip4_addr_t *src,
                        const ip4_addr_t *dest)
{
    u32_t s = lwip_ntohl(src->addr), d = lwip_ntohl(dest->addr);
    return (s >> 16) + (s & 0xffffu) + (d >> 16) + (d & 0xffffu) + proto + proto_len;
}

u16_t inet_chksum_pseudo_partial(struct pbuf *p, u8_t proto, u16_t proto_len,
                                 u16_t chksum_len, const ip4_addr_t *src,
                                 const ip4_addr_t *dest)
{
    u32_t acc = sum_pseudo(proto, proto_len, src, dest) + sum_chain(p, chksum_len);
    return (u16_t)~lwip_htons(fold(acc));
}

u16_t inet_chksum_pseudo(struct pbuf *p, u8_t proto, u16_t proto_len,
                         const ip4_addr_t *src, const ip4_addr_t *dest)
{
    return inet_chksum_pseudo_partial(p, proto, proto_len, p ? p->tot_len : 0, src, dest);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Used where a router or a reply
 * changes one word of a header (TTL, ICMP type) and the rest is unchanged. */
u16_t inet_chksum_adjust(u16_t chksum_be, u16_t old, u16_t new_value)
{
    u32_t sum = (u16_t)~lwip_ntohs(chksum_be);
    sum += (u16_t)~old;
    sum += new_value;
    sum = FOLD_U32T(sum);
    sum = FOLD_U32T(sum);
    return lwip_htons((u16_t)~sum);
}
