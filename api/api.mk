# api/api.mk - sources of tcpip_thread and the stack's start-up (api/tcpip.c,
# net/init.c). A file is listed here once it compiles.
API_SRC := api/tcpip.c net/init.c api/netbuf.c api/inet.c api/sockets.c api/sockets_io.c api/sockets_opt.c api/sockets_select.c api/api_lib.c api/api_msg.c api/netdb.c
