/*
 * kernel/list.h - intrusive doubly linked lists with a sentinel head.
 *
 * A node is embedded in the object it links (a thread's link, say), so
 * putting a thread on a wait queue never allocates. An unlinked node points
 * at itself, which lets ng_list_remove be called on a node that may or may
 * not be on a list.
 */
#ifndef NETGLASS_LIST_H
#define NETGLASS_LIST_H

#include <stddef.h>

struct ng_list {
    struct ng_list *next, *prev;
};

#define NG_CONTAINER_OF(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void ng_list_init(struct ng_list *l) { l->next = l->prev = l; }
static inline int ng_list_empty(const struct ng_list *l) { return l->next == l; }

static inline void ng_list_insert_before(struct ng_list *pos, struct ng_list *n)
{
    n->prev = pos->prev;
    n->next = pos;
    pos->prev->next = n;
    pos->prev = n;
}

static inline void ng_list_push_back(struct ng_list *l, struct ng_list *n)
{
    ng_list_insert_before(l, n);
}

static inline void ng_list_push_front(struct ng_list *l, struct ng_list *n)
{
    ng_list_insert_before(l->next, n);
}

static inline void ng_list_remove(struct ng_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

#endif
