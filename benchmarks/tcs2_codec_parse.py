"""How fast `ReplyParser` turns a TCS II temperature stream into messages, in lines/s.

Feeds 20,000 stream lines 1, 10 and 100 at a time. Limit: the device's fastest stream,
100 lines/s of 24 bytes during a stimulation (2.4 kB/s); the ratio is the headroom.

    python benchmarks/tcs2_codec_parse.py
"""

import time

import _report
from drivers.tcs2.codec import ReplyParser

LINE = b"\r320+320+320+321+320+319"
LINES = 20_000
STREAM_LINES_PER_S = 100.0


def lines_per_second(chunk_lines: int) -> float:
    parser = ReplyParser()
    chunk = LINE * chunk_lines
    started = time.perf_counter()
    count = 0
    for _ in range(LINES // chunk_lines):
        count += len(parser.feed(chunk))
    elapsed = time.perf_counter() - started
    assert count == LINES and parser.dropped_frames == 0
    return count / elapsed


def main() -> None:
    _report.start(f"tcs2 ReplyParser: {LINES:,} stream lines")
    for chunk_lines in (1, 10, 100):
        _report.figure(f"{chunk_lines} lines per feed", lines_per_second(chunk_lines), "lines/s", STREAM_LINES_PER_S,
                       _report.HIGHER, digits=0)
    _report.finish()


if __name__ == "__main__":
    main()
