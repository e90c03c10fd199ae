"""Zips and folders: read only into memory, unsafe member names and zip bombs refused."""

import struct
import zipfile

import pytest

from graph.errors import LoadError
from loaders.archive import MAX_RATIO, open_archive


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/passwd", "a/../../b.csv", "C:/x.csv", "..\\x.csv"])
def test_unsafe_member_names_are_refused(tmp_path, name):
    z = _zip(tmp_path / "x.zip", {"Connections.csv": b"a", name: b"b"})
    with pytest.raises(LoadError, match="unsafe path"):
        open_archive(z)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.zip"]  # nothing written anywhere


def test_zip_bomb_is_refused_before_reading(tmp_path):
    z = _zip(tmp_path / "bomb.zip", {"Connections.csv": b"\0" * (50 * 1024 * 1024)})
    info = zipfile.ZipFile(z).infolist()[0]
    assert info.file_size > MAX_RATIO * info.compress_size
    with pytest.raises(LoadError, match="zip bomb"):
        open_archive(z)


def test_not_a_zip_is_a_clear_error(tmp_path):
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(LoadError, match="not a readable zip"):
        open_archive(bad)


def test_folder_and_zip_give_the_same_members(tmp_path):
    files = {"Connections.csv": b"x", "messages/messages.csv": b"y"}
    z = _zip(tmp_path / "a.zip", files)
    folder = tmp_path / "unzipped"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    za, fa = open_archive(z), open_archive(folder)
    assert za.names() == fa.names() == ["Connections.csv", "messages/messages.csv"]
    assert za.find("MESSAGES.CSV") == "messages/messages.csv"
    assert za.read("Connections.csv") == fa.read("Connections.csv") == b"x"
    assert za.where("Connections.csv").endswith("a.zip!Connections.csv")


# --- damaged zips (found by tests/loaders/test_fuzz.py): each is a LoadError naming the zip ---


def _data_offset(raw: bytes) -> int:
    """Where the first member's compressed data starts (after its local header)."""
    assert raw[:4] == b"PK\x03\x04"
    name_len, extra_len = struct.unpack_from("<HH", raw, 26)
    return 30 + name_len + extra_len


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA], ids=["deflate", "lzma"]
)
def test_damaged_compressed_data_is_a_load_error(tmp_path, method):
    """The decompressor's own error (``zlib.error``, ``LZMAError``) escaped `Archive.read`."""
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w", method) as zf:
        zf.writestr("Connections.csv", b"First Name,Last Name\n" * 200)
    raw = bytearray(z.read_bytes())
    at = _data_offset(bytes(raw)) + 9  # past the zip LZMA header and its properties
    raw[at : at + 8] = b"\xff" * 8
    z.write_bytes(bytes(raw))
    archive = open_archive(z)
    with pytest.raises(LoadError, match="cannot read zip member") as e:
        archive.read("Connections.csv")
    assert e.value.file == f"{z}!Connections.csv"


def test_member_name_flagged_utf8_that_is_not_is_a_load_error(tmp_path):
    """A name marked UTF-8 (flag bit 11) holding a Latin-1 byte: `zipfile.ZipFile` raised
    `UnicodeDecodeError` from `open_archive`; and the same in the local header only, from
    `Archive.read`."""
    z = _zip(tmp_path / "x.zip", {"Connectionsé.csv": b"x", "Profile.csv": b"y"})
    raw = z.read_bytes()
    central = raw.rindex("Connectionsé.csv".encode())
    local = raw.index("Connectionsé.csv".encode())
    only_local = raw[:local + 11] + b"\xff" + raw[local + 12 :]  # "é" -> "\xff\xa9"
    both = only_local[:central + 11] + b"\xff" + only_local[central + 12 :]
    z.write_bytes(both)
    with pytest.raises(LoadError, match="not a readable zip"):
        open_archive(z)
    z.write_bytes(only_local)
    archive = open_archive(z)
    with pytest.raises(LoadError, match="cannot read zip member"):
        archive.read("Connectionsé.csv")


def test_member_needing_an_unknown_zip_version_is_a_load_error(tmp_path):
    """A damaged "version needed to extract" (12.7): `NotImplementedError` from `ZipFile`."""
    z = _zip(tmp_path / "x.zip", {"Connections.csv": b"x"})
    raw = bytearray(z.read_bytes())
    central = raw.rindex(b"PK\x01\x02")
    raw[central + 6 : central + 8] = (127).to_bytes(2, "little")
    z.write_bytes(bytes(raw))
    with pytest.raises(LoadError, match="not a readable zip"):
        open_archive(z)


def test_member_without_a_name_is_refused(tmp_path):
    """A name length damaged to 0: `ZipInfo.is_dir` raised `IndexError` on the empty name."""
    z = _zip(tmp_path / "x.zip", {"Connections.csv": b"x"})
    raw = z.read_bytes()
    central = raw.rindex(b"PK\x01\x02")
    name_len = int.from_bytes(raw[central + 28 : central + 30], "little")
    damaged = (raw[: central + 28] + b"\x00\x00" + raw[central + 30 : central + 46]
               + raw[central + 46 + name_len :])  # fmt: skip
    # the end record still points at the central directory, now shorter
    eocd = damaged.rindex(b"PK\x05\x06")
    size = int.from_bytes(damaged[eocd + 12 : eocd + 16], "little") - name_len
    z.write_bytes(damaged[: eocd + 12] + size.to_bytes(4, "little") + damaged[eocd + 16 :])
    with pytest.raises(LoadError, match="unsafe path ''"):
        open_archive(z)
