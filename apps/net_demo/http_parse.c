/*
 * apps/net_demo/http_parse.c - the HTTP/1.1 request parser (see
 * http_parse.h). No allocation, no state between calls: the server calls
 * it again on the whole buffer after every recv until it says complete.
 *
 * Lines end in CRLF; a bare LF is accepted too (RFC 9112 2.2 allows a
 * recipient to), a CR not followed by LF is a 400. The request line is
 * method SP request-target SP HTTP-version (RFC 9112 3); the target may be
 * origin-form (/path?query) or absolute-form (http://host/path, which
 * servers must accept, RFC 9112 3.2.2). Header fields are name ":" OWS
 * value OWS (RFC 9112 5); whitespace before the colon and obsolete line
 * folding are 400s (5.1, 5.2). A 1.1 request without exactly one Host is a
 * 400 (RFC 9112 3.2). Connection's options decide persistence (RFC 9112
 * 9.3): 1.1 persists unless "close", 1.0 only with "keep-alive".
 */
#include <string.h>

#include "http_parse.h"

/* RFC 9110 5.6.2: tchar, the characters of a token (method, field name). */
static int is_tchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive equality of s[0..n) and the lower-case word w. */
static int word_is(const char *s, size_t n, const char *w)
{
    if (strlen(w) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != w[i])
            return 0;
    return 1;
}

/* The end of the line starting at buf[at]: the index of its LF, or -1 if
 * none yet. *bad is set for a CR not followed by LF (or a NUL). */
static long line_end(const char *buf, size_t len, size_t at, int *bad)
{
    for (size_t i = at; i < len; i++) {
        if (buf[i] == '\n')
            return (long)i;
        if (buf[i] == '\0' || (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n')) {
            *bad = 1;
            return -1;
        }
    }
    return -1;
}

/* Length of the line at buf[at .. lf) without its CR. */
static size_t content_len(const char *buf, size_t at, size_t lf)
{
    return (lf > at && buf[lf - 1] == '\r') ? lf - 1 - at : lf - at;
}

static int reject(struct http_request *req, int status)
{
    req->status = status;
    req->keep_alive = 0;
    return -1;
}

/* method SP target SP HTTP/x.y; fills method, path, minor; 0 or a status. */
static int parse_request_line(const char *s, size_t n, struct http_request *req)
{
    size_t i = 0;
    while (i < n && is_tchar(s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ' ')
        return 400;
    if (i == 3 && memcmp(s, "GET", 3) == 0)
        req->method = HTTP_GET;     /* methods are case-sensitive (RFC 9110 9.1) */
    else if (i == 4 && memcmp(s, "HEAD", 4) == 0)
        req->method = HTTP_HEAD;
    else
        req->method = HTTP_OTHER;
    size_t t = ++i;
    while (i < n && s[i] != ' ')
        i++;
    if (i == t || i >= n)
        return 400;
    const char *target = s + t;
    size_t tlen = i - t;
    for (size_t k = 0; k < tlen; k++)
        if ((unsigned char)target[k] <= ' ' || (unsigned char)target[k] >= 0x7f)
            return 400;
    if (tlen > 7 && word_is(target, 7, "http://")) {
        /* absolute-form: the path starts after the authority */
        const char *slash = memchr(target + 7, '/', tlen - 7);
        if (slash == NULL) {
            target = "/";
            tlen = 1;
        } else {
            tlen -= (size_t)(slash - target);
            target = slash;
        }
    } else if (!(target[0] == '/' || (tlen == 1 && target[0] == '*'))) {
        return 400;
    }
    size_t plen = 0;
    while (plen < tlen && target[plen] != '?' && target[plen] != '#')
        plen++;
    if (plen > HTTP_PATH_MAX)
        plen = HTTP_PATH_MAX;
    memcpy(req->path, target, plen);
    req->path[plen] = '\0';
    const char *v = s + i + 1;
    size_t vlen = n - i - 1;
    if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return 400;
    if (v[5] != '1')
        return 505;
    req->minor = v[7] - '0';
    return 0;
}

/* Connection: a comma-separated list of options (RFC 9110 7.6.1). */
static void parse_connection(const char *v, size_t n, int *close, int *keep)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (word_is(v + s, i - s, "close"))
            *close = 1;
        else if (word_is(v + s, i - s, "keep-alive"))
            *keep = 1;
    }
}

/* One field line; 0 or a status. */
static int parse_field(const char *s, size_t n, struct http_request *req, int *hosts,
                       int *close, int *keep, int *lengths)
{
    if (s[0] == ' ' || s[0] == '\t')
        return 400;                 /* obs-fold (RFC 9112 5.2) */
    size_t i = 0;
    while (i < n && is_tchar(s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ':')
        return 400;                 /* no name, or whitespace before the colon */
    size_t name_len = i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t end = n;
    while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    const char *v = s + i;
    size_t vlen = end - i;
    if (word_is(s, name_len, "host")) {
        (*hosts)++;
    } else if (word_is(s, name_len, "connection")) {
        parse_connection(v, vlen, close, keep);
    } else if (word_is(s, name_len, "content-length")) {
        unsigned long cl = 0;
        if (vlen == 0 || vlen > 9)
            return 400;             /* more than we would ever skip */
        for (size_t k = 0; k < vlen; k++) {
            if (v[k] < '0' || v[k] > '9')
                return 400;
            cl = cl * 10 + (unsigned long)(v[k] - '0');
        }
        if (*lengths && cl != req->content_length)
            return 400;             /* differing lengths (RFC 9112 6.3 item 5) */
        (*lengths)++;
        req->content_length = cl;
    } else if (word_is(s, name_len, "transfer-encoding")) {
        return 501;
    }
    return 0;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
    struct http_request r;
    memset(&r, 0, sizeof r);
    int bad = 0;
    size_t at = 0;
    /* RFC 9112 2.2: empty lines before the request line are ignored. */
    while (at < len && (buf[at] == '\n' || (buf[at] == '\r' && at + 1 < len &&
                                           buf[at + 1] == '\n')))
        at += buf[at] == '\r' ? 2 : 1;
    long lf = line_end(buf, len, at, &bad);
    if (bad)
        return reject(req, 400);
    if (lf < 0) {
        if (len - at >= HTTP_LINE_MAX)
            return reject(req, 414);
        if (len >= HTTP_HEAD_MAX)
            return reject(req, 431);
        return 0;
    }
    if ((size_t)lf + 1 - at > HTTP_LINE_MAX)
        return reject(req, 414);
    int status = parse_request_line(buf + at, content_len(buf, at, (size_t)lf), &r);
    int hosts = 0, close = 0, keep = 0, lengths = 0;
    at = (size_t)lf + 1;
    for (;;) {
        lf = line_end(buf, len, at, &bad);
        if (bad)
            return reject(req, 400);
        if (lf < 0) {
            if (len >= HTTP_HEAD_MAX)
                return reject(req, 431);
            return 0;
        }
        if ((size_t)lf + 1 > HTTP_HEAD_MAX)
            return reject(req, 431);
        size_t n = content_len(buf, at, (size_t)lf);
        if (n == 0)
            break;                  /* the empty line: end of the head */
        if (status == 0)
            status = parse_field(buf + at, n, &r, &hosts, &close, &keep, &lengths);
        at = (size_t)lf + 1;
    }
    r.head_len = (size_t)lf + 1;
    if (status == 0 && r.minor >= 1 && hosts != 1)
        status = 400;               /* RFC 9112 3.2 */
    if (status == 0 && r.method == HTTP_OTHER)
        status = 405;
    r.status = status;
    /* An error answer closes the connection (a body may follow that we
     * would have to skip); otherwise RFC 9112 9.3 decides. */
    if (status == 0)
        r.keep_alive = r.minor >= 1 ? !close : keep && !close;
    *req = r;
    return 1;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}
