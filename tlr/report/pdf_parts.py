"""Lay out one PDF in parts on several processes, numbered as if it had been laid out whole.

WeasyPrint lays out on one core, and a 1,000-project committee paper spends most of its time there. The
report's profiles come last, and each starts on a new page, so the document cuts cleanly between two
profiles: the first part is everything up to some profile, each later part a run of profiles. Each part is
laid out in its own process, at the same time; this process cuts the font, hands out the parts and the page
numbers, and joins the PDFs.

Two things cross a cut, and both are put right:

* **Page numbers.** A part cannot know how many pages come before it, nor the document's total, until every
  part is laid out. WeasyPrint lays out all the pages of a document first and its margin boxes (running
  headers, the "page / pages" footer) after, so each part stops at that point, says how many pages it has,
  and waits for its first page number and the total (:func:`_numbered_margins`).
* **Links, bookmarks, running headers.** The first part's links to later profiles point at empty targets of
  the same names (the template writes them), so WeasyPrint keeps them; when the parts are joined the later
  parts' named destinations are registered first, so the names resolve to the real profiles. The later
  parts' bookmarks go under the first part's last chapter (the profiles). A later part starts with the
  running-header strings it would have inherited (the template writes them, invisible).

Anything unexpected (a part fails, WeasyPrint changed its layout steps) raises :class:`PartsFailed` and the
caller lays the document out whole: slower, never different. The test suite checks that the parts give the
same pages, numbers, headers, bookmarks and links as the whole.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Sequence

#: Measured per-unit layout costs on the reference machine (seconds): they only balance the parts.
PROFILE_COST = 0.18
ROW_COST = 0.0105
FIXED_COST = 1.8
#: Below this many seconds of profiles to hand out, one process is as quick.
MIN_TAIL_COST = 3.0


class PartsFailed(RuntimeError):
    """Laying out in parts did not work out; lay the document out whole."""


def plan(n_profiles: int, n_rows: int, workers: int | None = None, max_parts: int = 4) -> list[tuple] | None:
    """How to cut a report of *n_profiles* profiles and a *n_rows*-row table, or ``None`` to lay it out whole.

    Returns the ``part`` values the report template takes: ``("main", k)`` first (everything, with the first
    *k* profiles), then ``("tail", i, j)`` for each later run of profiles, so that the estimated layout times
    of the parts are about equal. One part per available core, at most *max_parts*.
    """
    if workers is None:
        from tlr.parallel import cores

        workers = cores()
    n_parts = max(1, min(workers, max_parts))
    if n_parts < 2 or n_profiles * PROFILE_COST < MIN_TAIL_COST:
        return None
    main_cost = FIXED_COST + n_rows * ROW_COST
    total = main_cost + n_profiles * PROFILE_COST
    share = total / n_parts
    # the profiles the first part can take on top of its fixed work (at least one: the chapter's heading
    # shares a page with its first profile); the rest spread evenly over the tails
    k = min(max(1, int(round((share - main_cost) / PROFILE_COST))), n_profiles)
    rest = n_profiles - k
    n_tails = min(n_parts - 1, rest)
    if n_tails == 0 or rest * PROFILE_COST < MIN_TAIL_COST:
        return None
    cuts = [k + round(rest * t / n_tails) for t in range(n_tails + 1)]
    return [("main", k)] + [("tail", a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


@contextmanager
def _numbered_margins(numbering: Callable[[int], tuple[int, int]]):
    """While laying out, number pages from an offset, out of a total, both given by *numbering*.

    *numbering* is called once, with this document's page count, when all its pages are laid out and before
    its first margin box is; it returns ``(pages before this part, pages in the whole document)``.
    """
    from weasyprint import layout

    original = getattr(layout, "make_margin_boxes", None)
    if original is None:
        raise PartsFailed("weasyprint.layout.make_margin_boxes is gone")
    shift: list[tuple[int, int]] = []

    def make_margin_boxes(context, page, state):
        if not shift:
            shift.append(numbering(len(context.page_maker) - 1))
        offset, total = shift[0]
        quote_depth, counters, *rest = state
        counters = dict(counters)
        counters["page"] = [v + offset for v in counters.get("page", [0])]
        counters["pages"] = [total]
        return original(context, page, (quote_depth, counters, *rest))

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield shift
    finally:
        layout.make_margin_boxes = original


def _lay_out(html: str, templates_root: Path, font: bytes, numbering) -> bytes:
    from tlr.report.render import html_to_pdf

    with _numbered_margins(numbering) as shift:
        pdf = html_to_pdf(html, templates_root, font=font)
    if not shift:
        raise PartsFailed("the page numbering was never asked for")
    return pdf


def _part_main(fd_in: int, fd_out: int) -> None:
    """One part, in its own process (``python -m tlr.report.pdf_parts IN OUT``): read the job, lay it out,
    report the page count, wait for the numbering, send the PDF; any failure is sent back instead."""
    with os.fdopen(fd_in, "rb") as reader, os.fdopen(fd_out, "wb") as writer:
        def send(message) -> None:
            pickle.dump(message, writer, protocol=pickle.HIGHEST_PROTOCOL)
            writer.flush()

        def numbering(pages: int) -> tuple[int, int]:
            send(("pages", pages))
            return pickle.load(reader)

        try:
            # imported while the parent still cuts the font
            from tlr.report import render  # noqa: F401
            import weasyprint  # noqa: F401

            html, templates_root, font = pickle.load(reader)
            pdf = _lay_out(html, Path(templates_root), font, numbering)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent, which falls back
            send(("error", f"{type(exc).__name__}: {exc}"))
            return
        send(("pdf", pdf))


def _child_command(job_fd: int, message_fd: int) -> list[str]:
    return [sys.executable, "-m", "tlr.report.pdf_parts", str(job_fd), str(message_fd)]


def _child_env() -> dict[str, str]:
    """This process's environment, with the directory this ``tlr`` was imported from first on the path (the
    child must run the same code, installed or not)."""
    import tlr

    here = str(Path(tlr.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
    return env


class _Part:
    """The parent's end of one part process: a job pipe in, a message pipe out."""

    def __init__(self):
        job_r, job_w = os.pipe()
        msg_r, msg_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                _child_command(job_r, msg_w),
                pass_fds=(job_r, msg_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, close_fds=True, env=_child_env())
        except (OSError, ValueError) as exc:  # no process to start (or no fd passing on this platform)
            os.close(job_w)
            os.close(msg_r)
            raise PartsFailed(f"cannot start a part process: {exc}") from None
        finally:
            os.close(job_r)
            os.close(msg_w)
        self.to_child = os.fdopen(job_w, "wb")
        self.from_child = os.fdopen(msg_r, "rb")
        self._feeder: threading.Thread | None = None

    def give(self, html: str, templates_root: Path, font: bytes) -> None:
        """Send the job; a thread feeds the pipe (megabytes) while this process goes on to the next child."""
        self._feeder = threading.Thread(target=self.send, args=((html, str(templates_root), font),), daemon=True)
        self._feeder.start()

    def wait_given(self) -> None:
        if self._feeder is not None:
            self._feeder.join()

    def send(self, message) -> None:
        try:
            pickle.dump(message, self.to_child, protocol=pickle.HIGHEST_PROTOCOL)
            self.to_child.flush()
        except OSError:
            pass  # the child is gone: receive() says so

    def receive(self, kind: str):
        try:
            message = pickle.load(self.from_child)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            raise PartsFailed(f"a part process ended early: {exc!r}") from None
        if message[0] != kind:
            raise PartsFailed(f"a part process said {message[0]}: {message[1] if message[0] == 'error' else ''}")
        return message[1]

    def close(self, *, kill: bool = False) -> None:
        """Close the pipes and reap the process; *kill* it first when the work is abandoned."""
        if kill and self.proc.poll() is None:
            self.proc.kill()
        if self._feeder is not None:
            self._feeder.join(timeout=5)
        for f in (self.to_child, self.from_child):
            try:
                f.close()
            except OSError:  # pragma: no cover
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a child that does not stop
            self.proc.kill()
            self.proc.wait()


def write_pdf(parts: Sequence[str], templates_root: Path) -> bytes:
    """The PDF of the document cut into *parts* (HTML strings), each laid out in its own process at the same
    time, joined into one document numbered as a whole. This process only hands out the work and the page
    numbers: its heap (the whole round's data) stays out of the layout.

    Raises :class:`PartsFailed` when the parts cannot be laid out this way.
    """
    from tlr.report import fonts

    if len(parts) < 2:
        raise PartsFailed("nothing to lay out in parallel")
    try:
        import pypdf  # noqa: F401 - joins the parts; checked before any work is handed out
    except ImportError:  # pragma: no cover - a core dependency
        raise PartsFailed("pypdf is not installed") from None
    children: list[_Part] = []
    done = False
    try:
        # started first: each child's interpreter starts and imports WeasyPrint while the font is cut here
        for _ in parts:
            children.append(_Part())
        font = fonts.subset_for(set().union(*map(set, parts)))
        for child, html in zip(children, parts):
            child.give(html, templates_root, font)
        counts = [child.receive("pages") for child in children]
        total, offset = sum(counts), 0
        for child, n in zip(children, counts):
            child.wait_given()
            child.send((offset, total))
            offset += n
        pdfs = [child.receive("pdf") for child in children]
        done = True
    finally:
        for child in children:
            child.close(kill=not done)
    return join(pdfs)


def join(pdfs: Sequence[bytes]) -> bytes:
    """One PDF from the parts' PDFs, in order: pages, links, named destinations, bookmarks, metadata.

    The later parts go in first, so their named destinations (the profiles) are the ones registered, and the
    first part's links to them, which WeasyPrint wrote as named links, resolve there.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit, NameObject

    readers = [PdfReader(io.BytesIO(b)) for b in pdfs]
    writer = PdfWriter()
    for reader in readers[1:]:
        writer.append(reader, import_outline=False)
    writer.merge(0, readers[0], import_outline=False)
    offsets, n = [], 0
    for reader in readers:
        offsets.append(n)
        n += len(reader.pages)

    def copy_outline(reader, items, offset, parent):
        last = None
        for item in items:
            if isinstance(item, list):
                copy_outline(reader, item, offset, last)
                continue
            page = reader.get_destination_page_number(item)
            fit = Fit.xyz(item.left, item.top, item.zoom) if item.typ == "/XYZ" else Fit.fit()
            last = writer.add_outline_item(title=str(item.title), page_number=page + offset, parent=parent, fit=fit)
        return last

    chapter = copy_outline(readers[0], readers[0].outline, 0, None)
    for reader, offset in zip(readers[1:], offsets[1:]):
        copy_outline(reader, reader.outline, offset, chapter)
    if readers[0].metadata:
        writer.add_metadata(dict(readers[0].metadata))
    catalog = readers[0].trailer["/Root"]
    for key in ("/Lang", "/PageMode", "/ViewerPreferences", "/MarkInfo"):
        if key in catalog:
            writer.root_object[NameObject(key)] = catalog[key].clone(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


if __name__ == "__main__":
    _part_main(int(sys.argv[1]), int(sys.argv[2]))
