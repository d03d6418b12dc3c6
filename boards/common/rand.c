/*
 * boards/common/rand.c - ng_board_random_seed(): a 32-bit seed for the
 * stack's secrets (TCP's ISN key, RFC 6528), made from what differs
 * between runs of the same image.
 *
 *   seed=N        a board argument (boards/common/args.c): the host
 *                 running QEMU passes a fresh number each run;
 *   the cycles    ng_arch_cycles64() when the seed is taken: under QEMU
 *                 without -icount this follows the host's clock, on the
 *                 host build it is virtual time;
 *   the build id  so two builds started the same way still differ.
 *
 * NOTE: under -icount (and on the host build) the cycle count is the same
 * every run, so without seed= the seed, and so every ISN, repeats from
 * run to run. That keeps traces reproducible; pass seed= where ISNs must
 * not be guessable. A real board would add an ADC's noise or a hardware
 * RNG here.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "port.h"

/* A 32-bit mix with good avalanche (every input bit flips about half of
 * the output bits). */
static uint32_t rand_mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

uint32_t ng_board_random_seed(void)
{
    uint32_t h = 0x6e676c73u;       /* "ngls" */
    if (ng_board_opts.has_seed)
        h = rand_mix(h, ng_board_opts.seed);
    uint64_t cycles = ng_arch_cycles64();
    h = rand_mix(h, (uint32_t)cycles);
    h = rand_mix(h, (uint32_t)(cycles >> 32));
    const uint8_t *id;
    uint32_t len;
    ng_board_build_id(&id, &len);
    for (uint32_t i = 0; id != NULL && i < len; i++)
        h = rand_mix(h, id[i] | i << 8);
    return h;
}
