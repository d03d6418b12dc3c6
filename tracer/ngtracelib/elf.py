"""The firmware image: symbols and GNU build id, read from an ELF file.

Only what ngtrace needs, parsed with struct (no binutils at run time):
little-endian ELF32 and ELF64, the FUNC and OBJECT symbols of .symtab with
their sizes, and the GNU build id (a note of type 3, name "GNU", from
.note.gnu.build-id, any other SHT_NOTE section, or a PT_NOTE segment).

Elf.lookup(addr) names an address as "sym" or "sym+0x10".  Thumb function
symbols have bit 0 set in their value; it is cleared for the symbol's start,
and an address with bit 0 set (a function pointer) matches the function it
points into as if bit 0 were clear.  This applies to ARM ELF files
(e_machine 40) only; elsewhere an odd address is just an odd address.
"""

import bisect
import struct

from .errors import NgtraceError

SHT_SYMTAB = 2
SHT_NOTE = 7
PT_NOTE = 4
STT_OBJECT = 1
STT_FUNC = 2
STB_GLOBAL = 1
NT_GNU_BUILD_ID = 3

_LAYOUT = {
    # class: (ehdr, shdr, phdr, sym, sym field order)
    1: (struct.Struct("<HHIIIIIHHHHHH"), struct.Struct("<IIIIIIIIII"),
        struct.Struct("<IIIIIIII"), struct.Struct("<IIIBBH"), "32"),
    2: (struct.Struct("<HHIQQQIHHHHHH"), struct.Struct("<IIQQQQIIQQ"),
        struct.Struct("<IIQQQQQQ"), struct.Struct("<IBBHQQ"), "64"),
}


class Symbol:
    """A FUNC or OBJECT symbol; is_func is set for Thumb (ARM) functions,
    whose addresses match with bit 0 set or clear."""
    __slots__ = ("name", "start", "size", "is_func", "pref")

    def __init__(self, name, start, size, is_func, pref):
        self.name = name
        self.start = start
        self.size = size
        self.is_func = is_func
        self.pref = pref

    def __repr__(self):
        return "Symbol(%s 0x%x+%d%s)" % (self.name, self.start, self.size,
                                        " func" if self.is_func else "")


class Elf:
    """Symbols and build id of one ELF file."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise NgtraceError("cannot read ELF %s: %s" % (path, e.strerror or e))
        try:
            self._parse(data)
        except (struct.error, IndexError, ValueError) as e:
            raise NgtraceError("%s: truncated or corrupt ELF file (%s)" % (path, e))
        self._cache = {}

    # -- parsing -----------------------------------------------------------

    def _parse(self, data):
        path = self.path
        if data[:4] != b"\x7fELF":
            raise NgtraceError("%s: not an ELF file (bad magic at offset 0)" % path)
        if len(data) < 16 or data[4] not in (1, 2):
            raise NgtraceError("%s: not an ELF file (bad class at offset 4)" % path)
        if data[5] != 1:
            raise NgtraceError("%s: only little-endian ELF files are supported" % path)
        self.elf_class = 32 if data[4] == 1 else 64
        ehdr, shdr, phdr, symst, _ = _LAYOUT[data[4]]
        (e_type, self.machine, _ver, _entry, phoff, shoff, _flags, _ehsize,
         phentsize, phnum, shentsize, shnum, shstrndx) = ehdr.unpack_from(data, 16)

        sections = []
        if shoff:
            first = shdr.unpack_from(data, shoff)
            if shnum == 0:
                shnum = first[5]            # extended numbering: sh_size of section 0
            if shstrndx == 0xFFFF:
                shstrndx = first[6]         # sh_link of section 0
            for k in range(shnum):
                sections.append(shdr.unpack_from(data, shoff + k * shentsize))

        def sec_data(s):
            off, size = s[4], s[5]
            if off + size > len(data):
                raise ValueError("section at offset %d runs past the end of the file" % off)
            return data[off:off + size]

        names = sec_data(sections[shstrndx]) if 0 < shstrndx < len(sections) else b""

        def sec_name(s):
            end = names.find(b"\0", s[0])
            return names[s[0]:end if end >= 0 else len(names)].decode("latin-1")

        # build id: .note.gnu.build-id first, then any SHT_NOTE, then PT_NOTE
        self.build_id = None
        notes = [s for s in sections if s[1] == SHT_NOTE]
        notes.sort(key=lambda s: sec_name(s) != ".note.gnu.build-id")
        for s in notes:
            self.build_id = _find_build_id(sec_data(s))
            if self.build_id is not None:
                break
        if self.build_id is None and phoff:
            for k in range(phnum):
                p = phdr.unpack_from(data, phoff + k * phentsize)
                if p[0] == PT_NOTE:
                    off, size = (p[1], p[4]) if self.elf_class == 32 else (p[2], p[5])
                    self.build_id = _find_build_id(data[off:off + size])
                    if self.build_id is not None:
                        break

        # symbols
        arm = self.machine == 40
        syms = []
        for s in sections:
            if s[1] != SHT_SYMTAB:
                continue
            strtab = sec_data(sections[s[6]])
            body = sec_data(s)
            entsize = s[9] or symst.size
            for off in range(0, len(body) - symst.size + 1, entsize):
                if self.elf_class == 32:
                    st_name, value, size, info, _other, shndx = symst.unpack_from(body, off)
                else:
                    st_name, info, _other, shndx, value, size = symst.unpack_from(body, off)
                typ = info & 0xF
                if typ not in (STT_FUNC, STT_OBJECT) or shndx == 0 or st_name == 0:
                    continue
                end = strtab.find(b"\0", st_name)
                name = strtab[st_name:end if end >= 0 else len(strtab)].decode("utf-8", "replace")
                if not name:
                    continue
                is_func = typ == STT_FUNC
                if is_func and arm:
                    value &= ~1
                pref = (size > 0, (info >> 4) == STB_GLOBAL, not name.startswith("_"))
                syms.append(Symbol(name, value, size, is_func and arm, pref))
        syms.sort(key=lambda y: (y.start, y.pref))
        self.symbols = syms
        self._starts = [y.start for y in syms]
        self.by_name = {}
        for y in syms:
            self.by_name.setdefault(y.name, y)

    # -- queries -----------------------------------------------------------

    @property
    def build_id_hex(self):
        return self.build_id.hex() if self.build_id is not None else None

    def symbol_at(self, addr):
        """(Symbol, offset) containing addr, or None."""
        k = bisect.bisect_right(self._starts, addr) - 1
        syms = self.symbols
        stop = max(-1, k - 16)
        while k > stop:
            y = syms[k]
            a = addr & ~1 if y.is_func else addr
            off = a - y.start
            if 0 <= off < y.size or (off == 0 and y.size == 0):
                return y, off
            k -= 1
        return None

    def lookup(self, addr):
        """"sym" or "sym+0x10" for an address, or None if no symbol holds it."""
        try:
            return self._cache[addr]
        except KeyError:
            pass
        hit = self.symbol_at(addr)
        if hit is None:
            s = None
        else:
            y, off = hit
            s = y.name if off == 0 else "%s+0x%x" % (y.name, off)
        if len(self._cache) < 100000:
            self._cache[addr] = s
        return s


def _find_build_id(body):
    """The desc of the first NT_GNU_BUILD_ID "GNU" note in a note area."""
    off = 0
    n = len(body)
    while off + 12 <= n:
        namesz, descsz, ntype = struct.unpack_from("<III", body, off)
        name_off = off + 12
        desc_off = name_off + ((namesz + 3) & ~3)
        nxt = desc_off + ((descsz + 3) & ~3)
        if nxt > n:
            break
        if ntype == NT_GNU_BUILD_ID and body[name_off:name_off + namesz].rstrip(b"\0") == b"GNU":
            return bytes(body[desc_off:desc_off + descsz])
        off = nxt
    return None


def check_build_id(elf, trace_build_id, warn):
    """Refuse an ELF that did not produce the trace: NgtraceError when the
    trace has a build id and the ELF has none or another one."""
    if not trace_build_id:
        warn("the trace has no build id: cannot check that %s produced it" % elf.path)
        return
    if elf.build_id is None:
        raise NgtraceError("%s has no GNU build id, but the trace was written by build %s"
                           % (elf.path, trace_build_id.hex()))
    if elf.build_id != trace_build_id:
        raise NgtraceError("build id mismatch: %s has %s, the trace was written by %s "
                           "(wrong ELF?)" % (elf.path, elf.build_id.hex(),
                                             trace_build_id.hex()))
