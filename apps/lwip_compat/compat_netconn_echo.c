/*
 * apps/lwip_compat/compat_netconn_echo.c - a TCP echo server in the style
 * of an lwIP 2.x application using the netconn API.
 *
 * The files compat_*.c of this folder are the lwIP source-compatibility
 * check of issue 5: application code written the way lwIP 2.x users write
 * it, including only lwIP's public headers (lwip/...), no netglass name in
 * sight. They must compile and work against netglass unchanged;
 * tests/qemu/test_lwip_compat.py checks both (the includes, then the
 * behaviour from the host). main.c is the netglass side that starts them.
 */
#include "lwip/opt.h"
#include "lwip/api.h"
#include "lwip/sys.h"

#include "compat.h"

static void netconn_echo_serve(struct netconn *conn)
{
    struct netbuf *buf;
    void *data;
    u16_t len;
    err_t err;

    while ((err = netconn_recv(conn, &buf)) == ERR_OK) {
        do {
            netbuf_data(buf, &data, &len);
            err = netconn_write(conn, data, len, NETCONN_COPY);
        } while (err == ERR_OK && netbuf_next(buf) >= 0);
        netbuf_delete(buf);
        if (err != ERR_OK)
            break;
    }
    netconn_close(conn);
    netconn_delete(conn);
}

static void netconn_echo_thread(void *arg)
{
    struct netconn *listener, *conn;
    LWIP_UNUSED_ARG(arg);

    listener = netconn_new(NETCONN_TCP);
    LWIP_ASSERT("netconn_echo: no netconn", listener != NULL);
    if (netconn_bind(listener, IP_ADDR_ANY, COMPAT_NETCONN_ECHO_PORT) != ERR_OK ||
        netconn_listen(listener) != ERR_OK) {
        LWIP_PLATFORM_DIAG(("netconn_echo: cannot listen on port %d\n", COMPAT_NETCONN_ECHO_PORT));
        netconn_delete(listener);
        return;
    }
    for (;;) {
        if (netconn_accept(listener, &conn) == ERR_OK)
            netconn_echo_serve(conn);
    }
}

void compat_netconn_echo_init(void)
{
    sys_thread_new("netconn_echo", netconn_echo_thread, NULL, DEFAULT_THREAD_STACKSIZE,
                   DEFAULT_THREAD_PRIO);
}
