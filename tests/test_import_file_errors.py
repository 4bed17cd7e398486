"""Files that cannot be read as events at all: the sentence says why."""

import pytest

from events.importer import ImportFileError, import_path, preview


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n"])
def test_an_empty_file_says_so(data):
    with pytest.raises(ImportFileError, match=r"^empty\.csv: the file is empty$"):
        preview(data, "empty.csv")


def test_an_empty_file_imported_by_path_says_so(store, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError, match="the file is empty"):
        import_path(store, path)
    assert store.batches().empty


def test_a_blank_first_line_before_data_is_not_called_empty():
    with pytest.raises(ImportFileError, match="unknown format"):
        preview(b"\nevent_id,event_date\n", "late.csv")
