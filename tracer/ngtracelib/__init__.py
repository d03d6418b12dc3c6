"""ngtracelib - the host side of the netglass trace.

The firmware's recorder (tracer/trace.c) writes trace files in the format of
docs/trace-format.md; this package reads them back.  One concept a module:

  errors   the one exception type that the command line reports
  events   parse tracer/events.def, the single table of events
  reader   the container (header, chunks) and the decoded record stream
  elf      symbols and build id of the firmware image, parsed with struct
  listing  the text listing
  svg      the sequence diagram
  flow     following one frame across threads (flow_svg, flow_text draw it)
  calls    following one socket or netconn call (calls_out prints it,
           errnames names its errno values, mermaid writes any flow as
           Mermaid text)
  cli      the ngtrace command line
"""
