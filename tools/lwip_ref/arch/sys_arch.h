/*
 * tools/lwip_ref/arch/sys_arch.h - the OS types lwIP's NO_SYS 0 code is
 * compiled against by tools/lwip_reference_size.py (which only compiles
 * and links, never runs it): a pointer each, and the validity macros.
 * The iperf reference image is NO_SYS 1 and does not include this.
 */
#ifndef LWIP_REF_SYS_ARCH_H
#define LWIP_REF_SYS_ARCH_H
typedef struct { void *p; } sys_sem_t;
typedef struct { void *p; } sys_mutex_t;
typedef struct { void *p; } sys_mbox_t;
typedef void *sys_thread_t;
typedef unsigned sys_prot_t;
#define sys_sem_valid(s) ((s)->p != 0)
#define sys_sem_set_invalid(s) ((s)->p = 0)
#define sys_mbox_valid(s) ((s)->p != 0)
#define sys_mbox_set_invalid(s) ((s)->p = 0)
#define sys_mutex_valid(s) ((s)->p != 0)
#define sys_mutex_set_invalid(s) ((s)->p = 0)
#endif
