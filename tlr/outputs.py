"""Output folders: where tlr may write, and what it may later replace or delete.

* **Names made from data** (expert, project, rubric ids ...) go through :func:`safe_name` and are
  joined under the output folder by :func:`join_under`, which proves the result stays inside.
* **Nothing tlr did not write is replaced or deleted.** Every folder tlr writes a file into keeps a
  manifest, ``.tlr-manifest.json``, with the name and SHA-256 of each file tlr wrote there. A file is
  tlr's own only while its bytes still match; the campaign ledger (and its ``-wal``/``-shm``
  sidecars), which tlr keeps changing, is recorded as a ledger instead. Replacing a file that is not
  tlr's own, or clearing a folder (``tlr demo --force``) that holds one, is refused, naming the files.
* **Targets are checked before long work starts** (:func:`check_folder`, :func:`check_file`), and
  every write turns an ``OSError`` into one located line (:func:`io_error`), exit code 2.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Iterable, Iterator

from tlr.errors import Location, TlrError
from tlr.fsutil import atomic_write_bytes

MANIFEST = ".tlr-manifest.json"
MANIFEST_FORMAT = "tlr-manifest/1"
LEDGER_SIDECARS = ("-wal", "-shm", "-journal")
MAX_NAME_BYTES = 160  # file systems allow 255 bytes; leaves room for a prefix, a suffix and a temp-file name
SHOWN = 5  # foreign files named in a refusal
SURVEY_LIMIT = 1000  # stop walking a folder after this many foreign files (e.g. `--out ~`)

_UNSAFE = re.compile(r"[^\w.\-]+")  # anything but letters, digits, _ . - (Unicode letters kept)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
                     *(f"{p}{n}" for p in ("com", "lpt") for n in "123456789¹²³")}
# file systems that are views of the kernel, not storage: never an output target
_PSEUDO_FS = {"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs",
              "pstore", "bpf", "configfs", "fusectl", "mqueue", "binfmt_misc", "efivarfs", "selinuxfs", "nsfs",
              "autofs", "rpc_pipefs", "hugetlbfs"}
_PSEUDO_PREFIXES = ("/proc", "/sys", "/dev")
_PSEUDO_EXCEPT = ("/dev/shm",)

WHOSE_HINT = ("tlr 只替换或删除它自己写的文件：请自行移走或删除这些文件，或换一个新的输出位置 / tlr only replaces or "
              "deletes files it wrote itself: move or delete these yourself, or choose a new output location")


class OutputError(TlrError):
    """An output target cannot or must not be written: one located line, exit code 2."""


# ---------------------------------------------------------------------------------------- names


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _cut(text: str, nbytes: int) -> str:
    """*text* cut to at most *nbytes* bytes of UTF-8, never inside a character."""
    return text.encode("utf-8")[:max(nbytes, 0)].decode("utf-8", "ignore")


def safe_name(text: object, suffix: str = "") -> str:
    """A file name made from *text* that is safe on Linux, macOS and Windows, then *suffix*.

    Letters (any script), digits, ``_ . -`` are kept; every other run of characters (separators,
    NUL, controls, spaces, ``: * ? < > |`` ...) becomes ``_``; leading ``. _ -`` and trailing dots
    and spaces are dropped; a Windows device name (CON, NUL, COM1 ...) gets ``_`` after it; long
    names are cut. Whenever the text had to change, ``-`` and 8 hex digits of its SHA-256 are
    appended, so two different ids never share a name by being cleaned the same way. A safe
    name maps to itself.
    """
    raw = str(text)
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", raw))
    name = name.lstrip("._-").rstrip(". ")
    stem, dot, rest = name.partition(".")
    if stem.casefold() in _WINDOWS_RESERVED:
        name = f"{stem}_{dot}{rest}"
    limit = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    if name != raw or not name or len(name.encode("utf-8")) > limit:
        name = f"{_cut(name, limit - 9).rstrip('. ') or 'unnamed'}-{_digest(raw)}"
    return name + suffix


def safe_names(texts: Iterable[object], suffix: str = "") -> dict[str, str]:
    """:func:`safe_name` for each text, unique even on a case-insensitive disk (``E07`` and ``e07``).

    Names that would coincide ignoring case get the digest of their text appended; if they still
    coincide (a crafted id), :class:`OutputError` is raised rather than one file replacing another.
    """
    texts = [str(t) for t in dict.fromkeys(texts)]
    names = {t: safe_name(t, suffix) for t in texts}
    groups: dict[str, list[str]] = defaultdict(list)
    for text, name in names.items():
        groups[name.casefold()].append(text)
    for members in groups.values():
        if len(members) > 1:
            for text in members:
                names[text] = _cut(safe_name(text), MAX_NAME_BYTES // 2) + f"-{_digest(text)}" + suffix
    seen: dict[str, str] = {}
    for text, name in names.items():
        other = seen.setdefault(name.casefold(), text)
        if other != text:
            raise OutputError(f"两个编号得到同一个文件名 / two ids map to the same file name: {other!r}, {text!r} "
                              f"-> {name}", hint="请修改其中一个编号 / rename one of them", code="name_clash")
    return names


def join_under(root: str | os.PathLike, *parts: str) -> Path:
    """``root/part/...``, proven to stay inside *root* (after resolving ``..`` and symlinks).

    Each part must be one plain path component (no separator, not ``.`` or ``..``, no NUL, no drive);
    anything else, or a result that resolves outside *root*, raises :class:`OutputError`.
    """
    base = Path(root).resolve()
    for part in parts:
        bad = (not isinstance(part, str) or part in ("", ".", "..") or "\0" in part or "/" in part
               or "\\" in part or PureWindowsPath(part).drive or PurePosixPath(part).name != part)
        if bad:
            raise OutputError(f"输出文件名无效 / invalid output file name: {part!r}",
                              location=Location(file=str(root)), code="unsafe_path",
                              hint="文件名须为单独一段，不含路径分隔符或 .. / a name must be one path component")
    target = base.joinpath(*parts)
    try:
        resolved = target.resolve()
        resolved.relative_to(base)
    except (OSError, RuntimeError, ValueError):
        raise OutputError(f"输出路径越出输出目录 / output path escapes the output folder: {target}",
                          location=Location(file=str(root)), code="unsafe_path",
                          hint="符号链接或 .. 指向了目录以外 / a symlink or .. points outside it") from None
    if resolved == base:
        raise OutputError(f"输出文件名无效 / invalid output file name: {parts!r}", code="unsafe_path")
    return target


# ---------------------------------------------------------------------------------------- manifest


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_ledger(path: Path) -> bool:
    """A SQLite file carrying one of tlr's application ids, a campaign ledger's or an achievement library's
    (only such a file is accepted as a recorded ledger)."""
    from tlr.campaign.schema import APPLICATION_ID
    from tlr.library.schema import APPLICATION_ID as LIBRARY_ID

    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except OSError:
        return False
    return (len(head) == 100 and head.startswith(b"SQLite format 3\0")
            and int.from_bytes(head[68:72], "big") in (APPLICATION_ID, LIBRARY_ID))


class Manifest:
    """The files tlr wrote into one folder (names only: a sub-folder keeps its own manifest)."""

    def __init__(self, folder: Path, files: dict[str, dict] | None = None, created: bool = False):
        self.folder = folder
        self.files: dict[str, dict] = files or {}
        self.created = created

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "Manifest":
        folder = Path(folder)
        path = folder / MANIFEST
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            return cls(folder)
        except IsADirectoryError:
            raise OutputError(f"{MANIFEST} 是一个目录 / {MANIFEST} is a folder", location=Location(file=str(path)),
                              hint=WHOSE_HINT, code="foreign_file") from None
        try:
            doc = json.loads(text)
            if doc.get("format") != MANIFEST_FORMAT or not isinstance(doc.get("files"), dict):
                raise ValueError
            files = {str(k): dict(v) for k, v in doc["files"].items()}
        except (ValueError, TypeError, AttributeError):
            raise OutputError(f"无法读取 tlr 的写入记录 / cannot read tlr's record of written files: {MANIFEST}",
                              location=Location(file=str(path)), code="bad_manifest",
                              hint="这个文件已损坏或不是 tlr 写的；请自行移走它，或换一个新的输出位置 / it is damaged or "
                                   "not tlr's: move it away yourself, or choose a new output location") from None
        return cls(folder, files, bool(doc.get("created")))

    def owns(self, name: str) -> bool:
        """Is ``folder/name`` a regular file tlr wrote, unchanged since (or a recorded ledger / its sidecar)?"""
        path = self.folder / name
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
        entry = self.files.get(name)
        if entry is not None and entry.get("kind") == "ledger":
            return _is_ledger(path)
        if entry is not None and entry.get("sha256"):
            try:
                return sha256_file(path) == entry["sha256"]
            except OSError:
                return False
        for sidecar in LEDGER_SIDECARS:
            base = name[: -len(sidecar)] if name.endswith(sidecar) else None
            if base and self.files.get(base, {}).get("kind") == "ledger":
                return True
        return False

    def save(self) -> None:
        doc = {"format": MANIFEST_FORMAT,
               "about": "tlr 在此目录写入的文件；tlr 只替换或删除这些文件 / files tlr wrote in this folder; "
                        "tlr only ever replaces or deletes these",
               "created": self.created,
               "files": dict(sorted(self.files.items()))}
        atomic_write_bytes(self.folder / MANIFEST,
                           (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def owned_by_tlr(path: str | os.PathLike) -> bool:
    """Whether *path* is a file tlr wrote (its folder's manifest says so and the bytes still match)."""
    path = Path(path)
    try:
        return Manifest.load(path.parent).owns(path.name)
    except OutputError:
        return False


# ---------------------------------------------------------------------------------------- checks


def io_error(exc: OSError, path: str | os.PathLike, action: str = "write") -> OutputError:
    """One located line for an ``OSError`` met while writing *path* (no traceback)."""
    verb = {"write": ("无法写入", "cannot write"), "create": ("无法创建目录", "cannot create folder"),
            "delete": ("无法删除", "cannot delete"), "read": ("无法读取", "cannot read")}[action]
    reasons = {
        errno.ENOSPC: ("磁盘空间不足", "no space left on the device", "腾出空间或换一个输出位置 / free some space or "
                                                                   "choose another output location"),
        errno.EDQUOT: ("超出磁盘配额", "disk quota exceeded", "腾出空间或换一个输出位置 / free some space or choose "
                                                         "another output location"),
        errno.EACCES: ("没有权限", "permission denied", "换一个你能写入的目录 / choose a folder you can write to"),
        errno.EPERM: ("不允许的操作", "operation not permitted", "换一个你能写入的目录 / choose a folder you can write to"),
        errno.EROFS: ("只读文件系统", "read-only file system", "换一个可写的位置 / choose a writable location"),
        errno.ENOENT: ("目录不存在", "folder does not exist", "先创建目录或改正路径 / create the folder first or fix "
                                                          "the path"),
        errno.EISDIR: ("这是一个目录", "is a folder", "给出文件名 / give a file name"),
        errno.ENOTDIR: ("路径中有一段是文件而不是目录", "a part of the path is a file, not a folder",
                        "改正路径 / fix the path"),
        errno.ENAMETOOLONG: ("文件名过长", "file name too long", "用短一些的路径 / use a shorter path"),
        errno.EFBIG: ("文件过大", "file too large for this file system", "换一个输出位置 / choose another location"),
        errno.EIO: ("输入输出错误", "input/output error", "检查磁盘或网络共享 / check the disk or network share"),
        errno.ELOOP: ("符号链接循环", "too many levels of symbolic links", "改正路径 / fix the path"),
        errno.EEXIST: ("已存在", "already exists", "换一个名字 / choose another name"),
        errno.EBUSY: ("设备或资源忙", "device or resource busy", "稍后再试 / try again later"),
    }
    zh, en, hint = reasons.get(exc.errno, ("系统错误", exc.strerror or type(exc).__name__,
                                           "检查路径和权限 / check the path and permissions"))
    return OutputError(f"{verb[0]}：{zh} / {verb[1]}: {en}", location=Location(file=str(path)), hint=hint,
                       code="io_error")


@contextmanager
def reported(path: str | os.PathLike, action: str = "write") -> Iterator[None]:
    """Inside it, an ``OSError`` becomes :func:`io_error`'s one located line about *path*."""
    try:
        yield
    except OSError as exc:
        raise io_error(exc, path, action) from None


def _mount_type(path: Path) -> str | None:
    """The file-system type the (existing) *path* lives on, from /proc/self/mountinfo (Linux)."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    best, fstype = "", None
    text = str(path)
    for line in lines:
        left, _, right = line.partition(" - ")
        fields = left.split(" ")
        if len(fields) < 5 or not right:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, fstype = point, right.split(" ")[0]
    return fstype


def _lexists(path: Path) -> bool:
    """``os.path.lexists``, except that a path the system refuses (name too long, no permission to look)
    raises its ``OSError`` instead of passing for a folder that is yet to be made."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not os.path.lexists(probe) and probe != probe.parent:
        probe = probe.parent
    return probe


def _refuse_special_place(path: Path, option: str) -> None:
    resolved = Path(os.path.realpath(path))
    text = str(resolved)
    special = any(text == p or text.startswith(p + "/") for p in _PSEUDO_PREFIXES) and not any(
        text == p or text.startswith(p + "/") for p in _PSEUDO_EXCEPT)
    fstype = _mount_type(_nearest_existing(resolved))
    if special or fstype in _PSEUDO_FS:
        raise OutputError(f"{option} 指向系统的特殊位置 / {option} points into a system location "
                          f"({fstype or text.split('/')[1]}), not a place for files: {path}",
                          location=Location(file=str(path)), code="bad_output",
                          hint="换一个普通目录 / choose an ordinary folder")


def _writable_folder(folder: Path, path: Path, option: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"不能在 {folder} 中写入 / cannot write in {folder}: 没有权限或只读 / permission denied or "
                          f"read-only", location=Location(file=str(path)), code="io_error",
                          hint=f"换一个你能写入的 {option} / choose an {option} you can write to")


def _replaceable(path: Path, option: str) -> None:
    """*path* may be (re)written: absent, or a regular file tlr wrote and nobody changed since."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise io_error(exc, path, "read") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{option} 是一个目录，这里需要文件名 / {option} is a folder; a file name is expected here",
                          location=Location(file=str(path)), code="bad_output",
                          hint="给出目录中的文件名 / give a file name inside it")
    if not stat.S_ISREG(mode):
        raise OutputError("不是普通文件（设备、管道或符号链接），tlr 不写入 / not a regular file (device, pipe or "
                          "symlink): tlr does not write to it", location=Location(file=str(path)),
                          code="bad_output", hint="给出普通文件的路径；要输出到屏幕请省略 --out / give an ordinary "
                                                  "file path; leave out --out to print to the screen")
    if not Manifest.load(path.parent).owns(path.name):
        raise OutputError("文件已存在且不是 tlr 写的（或写后被改过）/ file exists and was not written by tlr "
                          "(or was changed since)", location=Location(file=str(path)), code="foreign_file",
                          hint="tlr 不覆盖别人的文件：请自行移走或删除它，或换一个文件名 / tlr never overwrites a file "
                               "it did not write: move or delete it yourself, or choose another name")


def _not_empty(path: str | os.PathLike, option: str) -> None:
    """An empty path (an unset shell variable, ``--out ""``) is refused, never taken as the current folder."""
    if os.fspath(path) == "":
        raise OutputError(f"{option} 为空 / {option} is empty", code="usage",
                          hint="给出目录或文件名；当前目录请写 . / give a folder or file name; for the current folder "
                               "write .")


def check_folder(path: str | os.PathLike, *, names: Iterable[str] = (), option: str = "--out") -> Path:
    """Before long work: *path* is, or can be made, a folder tlr can write in, and each file
    ``path/name`` for *names* may be written (absent or tlr's own). Raises :class:`OutputError`."""
    _not_empty(path, option)
    folder = Path(path)
    _refuse_special_place(folder, option)
    with reported(folder, "create"):
        exists = _lexists(folder)
        if exists and not folder.is_dir():
            raise OutputError(f"{option} 是文件，这里需要目录 / {option} is a file; a folder is expected here",
                              location=Location(file=str(folder)), code="bad_output",
                              hint="换一个目录名，或先移走这个文件 / choose a folder name, or move the file away")
        if exists:
            _writable_folder(folder, folder, option)
            for name in names:
                _replaceable(join_under(folder, name), option)
        else:
            ancestor = _nearest_existing(folder)
            if not ancestor.is_dir():
                raise OutputError(f"无法创建目录：{ancestor} 是文件 / cannot create the folder: {ancestor} is a file",
                                  location=Location(file=str(folder)), code="bad_output",
                                  hint="改正路径 / fix the path")
            _writable_folder(ancestor, folder, option)
    return folder


def check_document(path: str | os.PathLike, *, option: str = "FILE") -> Path:
    """A document tlr updates in place (a TRL assessment the user also edits by hand): it may be anyone's
    file, but it is a regular file or absent — never a folder, a device, a pipe, or under /dev, /proc, /sys."""
    _not_empty(path, option)
    target = Path(path)
    if not target.name:
        raise OutputError(f"{option} 须为文件名 / {option} must name a file: {os.fspath(path)!r}",
                          location=Location(file=str(target)), code="bad_output")
    _refuse_special_place(target, option)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise io_error(exc, target, "write") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{option} 是一个目录，这里需要文件名 / {option} is a folder; a file name is expected here",
                          location=Location(file=str(target)), code="bad_output")
    if not stat.S_ISREG(mode):
        raise OutputError("不是普通文件（设备或管道），tlr 不写入 / not a regular file (device or pipe): tlr does not "
                          "write to it", location=Location(file=str(target)), code="bad_output")
    return target


def check_file(path: str | os.PathLike, *, option: str = "--out") -> Path:
    """Before long work: *path* can be written as one file — its folder exists and is writable, and
    the file is absent or tlr's own (never a folder, a device, a pipe or someone else's file)."""
    _not_empty(path, option)
    target = Path(path)
    _refuse_special_place(target, option)
    with reported(target):
        _replaceable(target, option)
        parent = target.parent
        if not parent.exists():
            raise OutputError(f"目录不存在 / folder does not exist: {parent}", location=Location(file=str(target)),
                              code="io_error", hint="先创建该目录或改正路径（tlr 不为单个输出文件创建目录）/ create it "
                                                    "first or fix the path (tlr creates no folders for one output file)")
        if not parent.is_dir():
            raise OutputError(f"{parent} 是文件而不是目录 / {parent} is a file, not a folder",
                              location=Location(file=str(target)), code="bad_output", hint="改正路径 / fix the path")
        _writable_folder(parent, target, option)
    return target


# ---------------------------------------------------------------------------------------- writing


def make_folder(path: str | os.PathLike) -> Path:
    """Create *path* (with parents) if needed; a folder tlr created is marked so in its manifest."""
    folder = Path(path)
    with reported(folder, "create"):
        if folder.is_dir():
            return folder
        if os.path.lexists(folder):
            raise OutputError("这里需要目录，但这是文件 / a folder is expected here, but this is a file",
                              location=Location(file=str(folder)), code="bad_output", hint="改正路径 / fix the path")
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            if folder.is_dir():  # made by someone else meanwhile: not ours
                return folder
            raise
        manifest = Manifest.load(folder)
        manifest.created = True
        manifest.save()
    return folder


def write_file(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write *data* to *path* atomically and record it in the folder's manifest.

    The folder must exist (:func:`make_folder`); an existing *path* is replaced only if tlr wrote
    it and nobody changed it since. Every ``OSError`` becomes one located :class:`OutputError`.
    """
    target = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    _refuse_special_place(target, "--out")
    with reported(target):
        if not target.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, "folder does not exist", str(target.parent))
        manifest = Manifest.load(target.parent)
        _replaceable(target, "--out")
        atomic_write_bytes(target, data)
        manifest.files[target.name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        manifest.save()
    return target


def record_ledger(path: str | os.PathLike) -> None:
    """Record the campaign ledger (or achievement library) *path* as tlr's (it changes with every write, so no
    hash is kept)."""
    ledger = Path(path)
    with reported(ledger):
        manifest = Manifest.load(ledger.parent)
        manifest.files[ledger.name] = {"kind": "ledger"}
        manifest.save()


# ---------------------------------------------------------------------------------------- clearing


def survey(root: str | os.PathLike) -> tuple[list[Path], list[Path], list[str], bool]:
    """Walk *root* without following symlinks: (tlr's files, folders tlr created, foreign entries
    as relative paths, whether the walk stopped at :data:`SURVEY_LIMIT` foreign entries)."""
    root = Path(root)
    owned: list[Path] = []
    dirs: list[Path] = []
    foreign: list[str] = []

    def rel(p: Path) -> str:
        return p.relative_to(root).as_posix()

    def walk(folder: Path) -> bool:
        try:
            manifest: Manifest | None = Manifest.load(folder)
        except (OutputError, OSError):
            manifest = None
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            foreign.append(rel(folder) + "/ (无法读取 / unreadable)")
            return len(foreign) < SURVEY_LIMIT
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if not walk(path):
                    return False
                try:
                    if Manifest.load(path).created:
                        dirs.append(path)
                except (OutputError, OSError):
                    pass
            elif entry.name == MANIFEST and manifest is not None and entry.is_file(follow_symlinks=False):
                owned.append(path)
            elif manifest is not None and manifest.owns(entry.name):
                owned.append(path)
            elif manifest is not None and entry.name in manifest.files:
                foreign.append(rel(path) + " (写后被改过 / changed since tlr wrote it)")
            else:
                foreign.append(rel(path))
            if len(foreign) >= SURVEY_LIMIT:
                return False
        return True

    complete = walk(root)
    return owned, dirs, foreign, not complete


def foreign_error(folder: Path, foreign: list[str], capped: bool, option: str = "--out") -> OutputError:
    count = f"{len(foreign)}+" if capped else str(len(foreign))
    shown = ", ".join(foreign[:SHOWN]) + (f" …（共 {count} 个 / {count} in all）" if len(foreign) > SHOWN else "")
    return OutputError(f"{option} 中有 {count} 个文件不是 tlr 写的（或写后被改过），未删除任何文件 / {option} holds "
                       f"{count} file(s) tlr did not write (or that changed since); nothing was deleted: {shown}",
                       location=Location(file=str(folder)), code="foreign_files", hint=WHOSE_HINT)


def clear_folder(path: str | os.PathLike, option: str = "--out") -> None:
    """Remove what tlr wrote under *path* (and the folders it created, once empty) — or, when
    anything else is there, refuse without deleting anything. *path* itself is kept."""
    folder = Path(os.path.realpath(path))  # a symlinked --out is followed once; nothing inside it is
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise OutputError(f"{option} 不是目录 / {option} is not a folder", location=Location(file=str(folder)),
                          code="bad_output")
    try:
        created = Manifest.load(folder).created
    except OutputError:
        created = False
    owned, dirs, foreign, capped = survey(folder)
    if foreign:
        raise foreign_error(folder, foreign, capped, option)
    for file in owned:
        try:
            file.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise io_error(exc, file, "delete") from None
    for sub in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        try:
            sub.rmdir()
        except OSError:  # not empty after all (someone is writing into it): leave it
            pass
    if created:
        with reported(folder / MANIFEST):
            Manifest(folder, created=True).save()
