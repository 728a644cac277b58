#!/usr/bin/env python3
"""docs/concepts.md, the map from the seed notes to the playground, cannot
rot: every row is well formed and in the notes' order; every scenario a
row links exists, is run by the boot and passes; every scenario file is
linked from some row; a row not built yet links none; every file and
function a row names is in the tree; the README's first screen links the
page. The checker is first run on rows broken on purpose, so that it is
known to catch what it must. The boot is the scenario suite alone, with
1 GiB of RAM: more than the 896 MiB direct map, so that the scenarios
also run with user pages in highmem (the default suite, at 256 MiB, runs
them in low memory)."""
import os
import re

import pgtest

ROOT = pgtest.ROOT
DOC = "docs/concepts.md"
HEADER = "| concept | in short | the playground | watch it | code |"
LINK = re.compile(r"\[([^\]]*)\]\(\.\./test/scenarios/([^)]*)\)")
CODE_ITEM = re.compile(r"`([^`]+)`")
README_SCREEN = 30  # lines: what a terminal or a repository page shows first


def rows(text):
    """(line number, cells) of every row of the concept tables."""
    out, in_table = [], False
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() == HEADER:
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            in_table = False
        if in_table and not re.match(r"^\|[-| ]+\|$", line):
            out.append((n, [c.strip() for c in line.strip().strip("|").split("|")]))
    return out


def check_code(cell, where, root):
    """Problems with a code cell: paths that do not exist, functions not
    found in the file named before them."""
    if cell == "—":
        return []
    problems, path, text = [], None, None
    for item in CODE_ITEM.findall(cell):
        if "/" in item and re.search(r"\.[A-Za-z]+$", item):
            path = item
            full = os.path.join(root, path)
            if not os.path.isfile(full):
                problems.append("%s: no file %s" % (where, path))
                text = None
            else:
                text = open(full, errors="replace").read()
        elif item.endswith("()"):
            name = item[:-2]
            if path is None:
                problems.append("%s: %s names no file before it" % (where, item))
            elif text is not None and not re.search(r"\b%s\s*[(:]" % re.escape(name), text):
                problems.append("%s: %s is not in %s" % (where, item, path))
    if path is None:
        problems.append("%s: the code cell names no file" % where)
    return problems


def check(text, scenario_files, root):
    """(problems, linked scenario names) of a concepts page."""
    problems, linked, last = [], [], None
    found = rows(text)
    if not found:
        problems.append("no concept table (header %s)" % HEADER)
    for n, cells in found:
        where = "%s:%d" % (DOC, n)
        if len(cells) != 5:
            problems.append("%s: %d cells, not 5 (a '|' inside a cell?)" % (where, len(cells)))
            continue
        concept, summary, ours, watch, code = cells
        m = re.match(r"^\*\*(\d{3})\.(\d+)\*\* \S", concept)
        if not m:
            problems.append("%s: the concept cell does not start with **NNN.n** name" % where)
        else:
            key = (int(m.group(1)), int(m.group(2)))
            if last is not None and key <= last:
                problems.append("%s: %s.%s is out of the notes' order" % (where, m.group(1),
                                                                      m.group(2)))
            last = key
        if not summary or not ours:
            problems.append("%s: an empty cell" % where)
        links = LINK.findall(watch)
        names = [target for _, target in links]
        if watch.startswith("not yet built") or watch.startswith("left out"):
            if ".pg" in watch:
                problems.append("%s: a row not built names a scenario" % where)
            if watch.startswith("not yet built") and not re.search(r"\bissues? \d+", watch):
                problems.append("%s: 'not yet built' names no issue" % where)
        elif not links:
            problems.append("%s: no scenario linked, and not marked 'not yet built: issue N'"
                            % where)
        for label, target in links:
            if label != target:
                problems.append("%s: link text %s is not its file %s" % (where, label, target))
            if target not in scenario_files:
                problems.append("%s: no scenario file test/scenarios/%s" % (where, target))
        linked += names
        problems += check_code(code, where, root)
    for f in sorted(set(scenario_files) - set(linked)):
        problems.append("test/scenarios/%s is linked from no row of %s" % (f, DOC))
    return problems, sorted(set(linked))


tap = pgtest.Tap()
scenario_files = sorted(f for f in os.listdir(os.path.join(ROOT, "test", "scenarios"))
                        if f.endswith(".pg"))

# The checker itself, on rows broken on purpose: each must be caught.
GOOD = ("| **000.1** a | b | c | [01-demand-zero.pg](../test/scenarios/01-demand-zero.pg) | "
        "`core/mm/fault.c` `do_no_page()` |")
BROKEN = {
    "a missing scenario": GOOD.replace("01-demand-zero.pg", "99-nowhere.pg"),
    "a row not built that links one": GOOD.replace(
        "[01-demand-zero.pg](../test/scenarios/01-demand-zero.pg)",
        "not yet built: issue 13, see [01-demand-zero.pg](../test/scenarios/01-demand-zero.pg)"),
    "not built without an issue": GOOD.replace(
        "[01-demand-zero.pg](../test/scenarios/01-demand-zero.pg)", "not yet built"),
    "no scenario and no mark": GOOD.replace(
        "[01-demand-zero.pg](../test/scenarios/01-demand-zero.pg)", "soon"),
    "a function not in its file": GOOD.replace("do_no_page()", "do_no_such_page()"),
    "a file not in the tree": GOOD.replace("core/mm/fault.c", "core/mm/fault2.c"),
    "a '|' inside a cell": GOOD.replace("| c |", "| c | d |"),
    "a row out of order": GOOD + "\n" + GOOD,
}
for what, row in BROKEN.items():
    probs, _ = check(HEADER + "\n|---|---|---|---|---|\n" + row + "\n", ["01-demand-zero.pg"],
                     ROOT)
    tap.ok(bool(probs), "the checker catches " + what, "row: " + row)
probs, _ = check(HEADER + "\n|---|---|---|---|---|\n" + GOOD + "\n", ["01-demand-zero.pg"], ROOT)
tap.ok(not probs, "the checker passes a good row", "\n".join(probs))
probs, _ = check(HEADER + "\n|---|---|---|---|---|\n" + GOOD + "\n",
                 ["01-demand-zero.pg", "02-zero-page.pg"], ROOT)
tap.ok(any("02-zero-page.pg is linked from no row" in p for p in probs),
       "the checker catches a scenario file no row links")

# The page itself.
text = open(os.path.join(ROOT, DOC)).read()
problems, linked = check(text, scenario_files, ROOT)
tap.ok(not problems, "%s: %d rows, well formed, in order, files and functions in the tree, "
       "every scenario linked" % (DOC, len(rows(text))), "\n".join(problems))
for note in ("000", "001", "002", "003", "004"):
    tap.ok(any(c[0].startswith("**%s." % note) for _, c in rows(text)),
           "%s has rows for note %s" % (DOC, note))
readme = open(os.path.join(ROOT, "README.md")).read().splitlines()[:README_SCREEN]
tap.ok(any("docs/concepts.md" in l for l in readme),
       "README.md links docs/concepts.md in its first %d lines" % README_SCREEN)

# Every linked scenario runs in the boot's scenario suite, and passes.
img = pgtest.image("concepts", "suite = scenario\n")
status, log = pgtest.boot(img, machine="q35", memory="1G", timeout=600)
pgtest.kernel_tap(log, tap, "1 GiB: ")
pgtest.check_common(log, status, tap, prefix="1 GiB: ")
tap.ok(re.search(r"^mm: mem_map at .* managed \d+ pages \(low \d+, high [1-9]\d*\)", log, re.M)
       is not None, "1 GiB: there is a high zone, so user pages come from highmem")
for name in linked:
    passed = all(re.search(r"^ok \d+ - %s: %s$" % (re.escape(name), re.escape(what)), log, re.M)
                 for what in ("no failed expect, no error", "every page back afterwards",
                              "invariant checker"))
    tap.ok(passed, "%s ran in the boot's scenario suite and passed" % name)
tap.done(log)
