"""Zips and folders: read only into memory, unsafe member names and zip bombs refused."""

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
