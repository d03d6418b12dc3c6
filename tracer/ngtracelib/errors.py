"""The error type of ngtracelib.

Every problem the user should hear about (a missing file, a corrupt trace, a
wrong ELF, a bad events.def) is raised as NgtraceError with a one-line
message; the command line prints it as "ngtrace: error: MESSAGE" and exits
with status 2.  Anything else escaping is a bug in the tool.
"""


class NgtraceError(Exception):
    """A user-facing error: one line, no traceback, exit status 2."""
