# net/core.mk - sources of the memory and buffer core (mem, memp, pbuf,
# checksums, statistics). A file is listed here once it compiles.
# mem.c is the static heap and mem_libc.c the MEM_LIBC_MALLOC = 1 variant:
# both are listed, and the one not selected compiles to nothing.
NET_CORE_SRC := net/mem.c net/mem_libc.c net/mem_calloc.c net/memp.c net/pbuf.c net/pbuf_data.c \
    net/inet_chksum.c net/stats.c
