"""Names of the errno values that SOCK_ERRNO records carry.

lwip/errno.h takes its values from the C library, and the two builds use
different ones: newlib on the board (ECONNREFUSED 111, EINPROGRESS 119) and
glibc on the host (EINPROGRESS 115).  The ELF says which build wrote the
trace (e_machine 40 is ARM, the board); without an ELF the tool cannot tell
and shows numbers only.
"""

import errno as host_errno

ARM = 40

# newlib's sys/errno.h, the values a socket call can set.
NEWLIB = {
    1: "EPERM", 2: "ENOENT", 4: "EINTR", 5: "EIO", 9: "EBADF", 11: "EAGAIN",
    12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 16: "EBUSY", 17: "EEXIST", 22: "EINVAL",
    23: "ENFILE", 24: "EMFILE", 28: "ENOSPC", 32: "EPIPE", 34: "ERANGE", 88: "ENOSYS",
    95: "EOPNOTSUPP", 96: "EPFNOSUPPORT", 104: "ECONNRESET", 105: "ENOBUFS",
    106: "EAFNOSUPPORT", 107: "EPROTOTYPE", 108: "ENOTSOCK", 109: "ENOPROTOOPT",
    111: "ECONNREFUSED", 112: "EADDRINUSE", 113: "ECONNABORTED", 114: "ENETUNREACH",
    115: "ENETDOWN", 116: "ETIMEDOUT", 117: "EHOSTDOWN", 118: "EHOSTUNREACH",
    119: "EINPROGRESS", 120: "EALREADY", 121: "EDESTADDRREQ", 122: "EMSGSIZE",
    123: "EPROTONOSUPPORT", 125: "EADDRNOTAVAIL", 126: "ENETRESET", 127: "EISCONN",
    128: "ENOTCONN", 134: "ENOTSUP",
}


def errno_names(elf):
    """{value: name} for the build that made elf, or None without one."""
    if elf is None:
        return None
    if elf.machine == ARM:
        return NEWLIB
    return dict(host_errno.errorcode)
