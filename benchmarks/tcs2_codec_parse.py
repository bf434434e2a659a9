"""How fast `ReplyParser` turns a TCS II temperature stream into messages; prints figures.

The device streams at most 100 lines/s of 24 bytes during a stimulation (2.4 kB/s).
Usage: python benchmarks/tcs2_codec_parse.py
"""

import time

from drivers.tcs2.codec import ReplyParser

LINE = b"\r320+320+320+321+320+319"
LINES = 20_000


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
    for chunk_lines in (1, 10, 100):
        rate = lines_per_second(chunk_lines)
        print(f"{chunk_lines:4d} lines per feed: {rate:10,.0f} lines/s ({rate / 100:,.0f}x the 100 Hz stream)")


if __name__ == "__main__":
    main()
