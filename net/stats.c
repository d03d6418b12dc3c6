/*
 * net/stats.c - the counters of lwip/stats.h and how they are shown.
 *
 * lwip_stats holds lwIP's per-protocol counters and the heap's figures; the
 * pools keep theirs next to their storage (net/memp.c, reached through
 * memp_pools[]). Drops are counted by reason: ng_drop_count[] is indexed by
 * the values of the NG_ENUM(drop, ...) lines of tracer/events.def, and
 * ng_drop_name[] is generated from the same lines, so a name and its
 * counter can never disagree; ng_drop_pbuf is how the protocols throw a
 * received packet away (reason, their drop counter, free). stats_display
 * prints everything that is not zero, one short line per item, for the
 * console at the end of a demo; it and the names are compiled only with
 * LWIP_STATS_DISPLAY (netglass's default; lwIP's is 0).
 */
#include "lwip/stats.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"

#include <stddef.h>
#include <string.h>

struct stats_ lwip_stats;
u32_t ng_drop_count[NG_DROP_REASONS];

#if LWIP_STATS_DISPLAY
/* ng_drop_name[value] = "NAME" for each NG_ENUM(drop, NAME, value) line and
 * nothing for the other NG_ENUM types. NG_IS_DROP(type) is 1 exactly when
 * the token is `drop`: only then does NG_PROBE_##type expand to two
 * arguments, moving the 1 into NG_SECOND's second place. */
#define NG_SECOND(a, b, ...) b
#define NG_IS_PROBE(...) NG_SECOND(__VA_ARGS__, 0, ~)
#define NG_PROBE_drop ~, 1
#define NG_IS_DROP(type) NG_IS_PROBE(NG_PROBE_##type)
#define NG_CAT_(a, b) a##b
#define NG_CAT(a, b) NG_CAT_(a, b)
#define NG_KEEP_1(...) __VA_ARGS__
#define NG_KEEP_0(...)

#define NG_CLASS(name, bit)
#define NG_KIND(name, value)
#define NG_STATE(name, value)
#define NG_EVENT(name, id, cls, nwords, flags, fields)
#define NG_ENUM(type, name, value) NG_CAT(NG_KEEP_, NG_IS_DROP(type))([value] = #name,)
const char *const ng_drop_name[NG_DROP_REASONS] = {
#include "events.def"
};
#undef NG_CLASS
#undef NG_KIND
#undef NG_STATE
#undef NG_EVENT
#undef NG_ENUM
#endif

void ng_drop(unsigned reason, const void *arg)
{
    LWIP_ASSERT("ng_drop: reason out of range", reason < NG_DROP_REASONS);
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    ng_drop_count[reason]++;
    SYS_ARCH_UNPROTECT(lev);
    NG_TRACE1(DROP, reason, (uintptr_t)arg);
}

void ng_drop_pbuf(unsigned reason, struct pbuf *p, struct stats_proto *proto)
{
    ng_drop(reason, p);
    proto->drop++;
    pbuf_free(p);
}

u32_t ng_drops_total(void)
{
    u32_t total = 0;
    for (unsigned i = 0; i < NG_DROP_REASONS; i++)
        total += ng_drop_count[i];
    return total;
}

static void restart_mem(struct stats_mem *m)
{
    m->err = 0;
    m->illegal = 0;
    m->max = m->used;
}

/* Start counting afresh: the protocol and drop counters go to zero, the
 * memory figures keep what is in use now (that belongs to mem.c and
 * memp.c) and restart their max and error counts from here. Safe to call
 * before or after mem_init and memp_init. */
void stats_init(void)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    struct stats_mem heap = lwip_stats.mem;
    memset(&lwip_stats, 0, sizeof lwip_stats);
    lwip_stats.mem = heap;
    restart_mem(&lwip_stats.mem);
    for (int t = 0; t < MEMP_MAX; t++)
        restart_mem(memp_pools[t]->stats);
    memset(ng_drop_count, 0, sizeof ng_drop_count);
    SYS_ARCH_UNPROTECT(lev);
}

#if LWIP_STATS_DISPLAY
/* One line for a protocol, with only its non-zero counters; none if all are. */
static void display_proto(const struct stats_proto *p, const char *name)
{
    static const char *const field[] = { "xmit", "recv", "fw", "drop", "chkerr", "lenerr",
                                         "memerr", "rterr", "proterr", "opterr", "err",
                                         "cachehit" };
    /* The fields in their order: the structure is nothing but u16_t
     * counters (no padding, checked here), so it reads as an array. */
    const u16_t *v = (const u16_t *)(const void *)p;
    _Static_assert(sizeof field / sizeof field[0] == sizeof(struct stats_proto) / sizeof(u16_t),
                   "display_proto must list every field of struct stats_proto");
    int shown = 0;
    for (unsigned i = 0; i < sizeof field / sizeof field[0]; i++) {
        if (v[i] == 0)
            continue;
        if (!shown++)
            printf("stats: %-8s", name);
        printf(" %s=%u", field[i], (unsigned)v[i]);
    }
    if (shown)
        printf("\n");
}

static void display_mem(const struct stats_mem *m, const char *kind)
{
    printf("stats: %-4s %-16s used=%u max=%u avail=%u", kind, m->name ? m->name : "?",
           (unsigned)m->used, (unsigned)m->max, (unsigned)m->avail);
    if (m->err)
        printf(" err=%u", (unsigned)m->err);
    if (m->illegal)
        printf(" illegal=%u", (unsigned)m->illegal);
    printf("\n");
}

void stats_display(void)
{
    /* Each protocol's counters: where in lwip_stats (offsets fit a byte),
     * and its name. One call in a loop over a table of bytes is smaller
     * than seven calls with two addresses each. */
    static const struct {
        u8_t at;
        char name[8];
    } protos[] = {
        { offsetof(struct stats_, link), "link" }, { offsetof(struct stats_, etharp), "etharp" },
        { offsetof(struct stats_, ip_frag), "ip_frag" }, { offsetof(struct stats_, ip), "ip" },
        { offsetof(struct stats_, icmp), "icmp" }, { offsetof(struct stats_, udp), "udp" },
        { offsetof(struct stats_, tcp), "tcp" },
    };
    for (unsigned i = 0; i < LWIP_ARRAYSIZE(protos); i++)
        display_proto((const void *)((const u8_t *)&lwip_stats + protos[i].at), protos[i].name);
    display_mem(&lwip_stats.mem, "mem");
    for (int t = 0; t < MEMP_MAX; t++)
        display_mem(memp_pools[t]->stats, "memp");
    for (unsigned i = 0; i < NG_DROP_REASONS; i++)
        if (ng_drop_count[i])
            printf("stats: drop %-16s %lu\n", ng_drop_name[i] ? ng_drop_name[i] : "?",
                   (unsigned long)ng_drop_count[i]);
    printf("stats: drops total %lu\n", (unsigned long)ng_drops_total());
}
#endif
