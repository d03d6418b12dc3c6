# api/api.mk - sources of tcpip_thread and the stack's start-up (api/tcpip.c,
# net/init.c). A file is listed here once it compiles.
API_SRC := api/tcpip.c net/init.c
