"""Text files a person hands the harness: read whole, UTF-8 with or without a byte-order
mark; a pipe is refused at once rather than waited on."""

from __future__ import annotations

import os

import pytest

from protocols.text_files import TextFileError, read_text_file


def test_utf8_with_or_without_a_byte_order_mark(tmp_path):
    plain, marked = tmp_path / "plain.toml", tmp_path / "marked.toml"
    plain.write_bytes("name = \"é\"\n".encode())
    marked.write_bytes(b"\xef\xbb\xbf" + "name = \"é\"\n".encode())
    assert read_text_file(plain) == read_text_file(marked) == "name = \"é\"\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "study.toml"
    os.mkfifo(pipe)
    with pytest.raises(TextFileError) as caught:
        read_text_file(pipe)  # reading would block for ever: no one writes to it
    assert caught.value.line == 1 and "pipe, socket or device, not a file" in caught.value.reason


def test_missing_folder_and_not_utf8(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"a,b\nx,caf\xe9\n")
    cases = [(tmp_path / "missing.toml", 1, "cannot read the file: No such file"), (tmp_path, 1, "Is a directory"),
             (latin, 2, "the file is not UTF-8 text")]
    for path, line, phrase in cases:
        with pytest.raises(TextFileError) as caught:
            read_text_file(path)
        assert caught.value.line == line and phrase in caught.value.reason, caught.value.reason
