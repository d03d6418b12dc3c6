/*
 * apps/net_demo/http_parse.h - the HTTP/1.1 request parser of the demo's
 * web server: a pure function over the bytes received so far, so the
 * server's thread only moves bytes and the parser can be unit tested on
 * the host (tests/unit/test_net_demo_http.c).
 *
 * It reads one request head (RFC 9112 2.1: request line, header fields,
 * empty line) and decides what the server must answer: a method it serves
 * (GET, HEAD), or the status of an error: 400 (malformed, RFC 9112 3, 5),
 * 405 (a method we do not serve, RFC 9110 15.5.6), 414 (request line over
 * HTTP_LINE_MAX, RFC 9110 15.5.15), 431 (head over HTTP_HEAD_MAX, RFC 6585
 * 5), 501 (Transfer-Encoding, which we do not decode, RFC 9112 6.1), 505
 * (an HTTP major version other than 1, RFC 9110 15.6.6).
 */
#ifndef NET_DEMO_HTTP_PARSE_H
#define NET_DEMO_HTTP_PARSE_H

#include <stddef.h>

#define HTTP_LINE_MAX 256       /* request line, CRLF included: longer is 414 */
#define HTTP_HEAD_MAX 1024      /* the whole head: larger is 431 */
#define HTTP_PATH_MAX 64        /* longer paths are kept cut (they are 404 anyway) */

enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_OTHER                  /* a well-formed method we do not serve: 405 */
};

struct http_request {
    int status;                 /* 0: serve it; else the error status to answer */
    enum http_method method;
    char path[HTTP_PATH_MAX + 1];   /* the target's path, query cut off, NUL-terminated */
    int minor;                  /* HTTP/1.<minor> */
    int keep_alive;             /* the connection stays open after the answer */
    unsigned long content_length;   /* body bytes that follow the head (to skip) */
    size_t head_len;            /* bytes of the head, the empty line included */
};

/* Parse the request head at buf[0 .. len). Returns
 *   1  a head is complete: *req says what to do (req->status), and
 *      req->head_len bytes of buf are the head;
 *   0  not yet: more bytes are needed (req untouched);
 *  -1  the bytes cannot become a request that fits: req->status is 400,
 *      414 or 431 and the connection must be closed after the answer.
 * `len` may be any amount; the caller's buffer is at least HTTP_HEAD_MAX. */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

/* The reason phrase of a status (RFC 9110 15), "" if unknown. */
const char *http_reason(int status);

#endif
