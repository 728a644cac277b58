"""gdb-trap-frames.py - name the kernel's trap entry in gdb's backtraces.

Sourced by scripts/gdbinit. arch/x86/vectors.S marks the unwind tables of
its entry code (vectorN, trap_common, user_start) as signal frames, so
that gdb looks up the interrupted instruction itself rather than the one
before it. gdb prints such a frame as "<signal handler called>"; this
frame filter gives `bt` the entry code's own name and line instead:

    #2  0xc0a1b2fb in trap_common () at arch/x86/vectors.S:99

gdb applies frame filters to backtraces only: `up`, `frame 2` and a stop
inside the entry code still say <signal handler called>.
"""
import re

import gdb
from gdb.FrameDecorator import FrameDecorator

ENTRY = re.compile(r"(vector\d+|trap_common|trap_return|user_start)$")


def symbol_at(pc):
    """The name of the symbol pc is in (gdb's minimal symbols), or None."""
    try:
        out = gdb.execute("info symbol 0x%x" % pc, to_string=True)
    except gdb.error:
        return None
    # The output may start with the command itself (set trace-commands on).
    m = re.search(r"^(\S+)(?: \+ \d+)? in section ", out, re.M)
    return m.group(1) if m else None


class Frame(FrameDecorator):
    """A frame as `bt` prints it without frame filters, but that the
    kernel's trap entry has its name and line, not <signal handler
    called>."""

    def __init__(self, base):
        super().__init__(base)
        frame = base.inferior_frame()
        self.entry = None
        if frame.type() == gdb.SIGTRAMP_FRAME:
            name = symbol_at(frame.pc())
            if name and ENTRY.match(name):
                self.entry = name
                # An outer frame's pc is where trap_dispatch returns to:
                # its line is the one of the call.
                self.sal = gdb.find_pc_line(frame.pc() - (frame.newer() is not None))

    def function(self):
        if self.entry:
            return self.entry
        name = super().function()
        if isinstance(name, int):       # no debug symbol for it
            return symbol_at(name) or "??"
        return name

    def filename(self):
        if self.entry:
            return self.sal.symtab.filename if self.sal.symtab else None
        return super().filename()

    def line(self):
        if self.entry:
            return self.sal.line if self.sal.symtab else None
        return super().line()


class TrapEntryFilter:
    def __init__(self):
        self.name = "playground-trap-entry"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frames):
        return map(Frame, frames)


TrapEntryFilter()
