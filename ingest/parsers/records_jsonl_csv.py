"""Users' JSONL (one object per line) and CSV (header row) files, streamed record by record.

Accepted field names (JSON keys or CSV column headers; case-insensitive, spaces and hyphens read as `_`).
When several names of one field are present, the one listed first wins.

| field | accepted names |
|---|---|
| `title` | `title`, `paper_title`, `name` |
| `abstract` (**required**) | `abstract`, `summary`, `abstract_text`, `abstract_note`, `paper_abstract`, `description` |
| `authors` | `authors`, `author`, `author_names`, `author_list`, `creators` |
| `year` | `year`, `publication_year`, `pub_year` |
| `date` | `date`, `published`, `publication_date`, `published_date`, `pub_date`, `publish_date`, `created` |
| `arxiv_id` | `arxiv_id`, `arxiv`, `arxivid`, `eprint`, `id`, `paper_id`, `entry_id` |
| `url` | `url`, `urls`, `link`, `links`, `pdf_url`, `abs_url`, `html_url` |
| `doi` | `doi` |
| `category` | `category`, `categories`, `primary_category`, `subject` |
| `keywords` | `keywords`, `keyword`, `tags` |
| `organization` | `organization`, `organisation`, `org`, `institution` |
| `affiliations` | `affiliations`, `affiliation` |
| `has_code` | `has_code`, `code`, `code_url` |
| `authors_truncated` | `authors_truncated` |

Values: `authors` is a list (of names, or of `{"given", "family"}` objects) or one string `A, B and C` / `A; B`
(a trailing `et al.` marks a cut list). `date` is `2023-03-26` (a time part is ignored), `2023-03`, `Mar 26, 2023`
or `26 March 2023`, and gives the year when `year` is absent. `arxiv_id` is `2301.01234`, `arXiv:2301.01234v2` or
an arxiv.org URL (other ids are ignored). `url` is one URL, a list, or several separated by spaces or `;`; a `doi`
is added as `https://doi.org/...`. `keywords` is a list or text separated by `,` or `;`; `affiliations` a list or
text separated by `;`; `category` keeps the first of several. `has_code` is `true`/`yes`/`1` or a code URL.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from ingest.entries import ParsedEntry, Skipped
from ingest.parsers.lines import LINE_LIMIT, iter_lines, iter_text_lines
from ingest.parsers.records import ALIASES, entry_from_record, known_columns

DELIMITERS = (",", "\t", ";", "|")


def parse_jsonl(path: Path) -> Iterator[ParsedEntry | Skipped]:
    for line in iter_text_lines(path):
        if isinstance(line, Skipped):
            yield line
            continue
        text = line.text
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Skipped(
                str(path),
                line.number,
                f"invalid JSON ({exc.msg} at column {exc.colno}); fix the line: each must be one complete JSON object",
            )
            continue
        if not isinstance(record, dict):
            kind = type(record).__name__
            reason = f'line is a JSON {kind}, not an object; write one object per line: {{"abstract": ...}}'
            yield Skipped(str(path), line.number, reason)
            continue
        yield entry_from_record(path, line.number, record)


def header_delimiter(header: str) -> str | None:
    """The delimiter that splits a header line into the most known column names (None: not a CSV header)."""
    best, best_known = None, 0
    for delimiter in DELIMITERS:
        names = next(csv.reader([header], delimiter=delimiter), [])
        known = len(known_columns(names))
        if len(names) >= 2 and known > best_known:
            best, best_known = delimiter, known
    return best


def _physical_lines(path: Path, problems: dict[int, str]) -> Iterator[str]:
    """Decoded lines for the csv module; an unusable line is recorded and replaced by an empty one."""
    for line in iter_lines(path):
        if line.problem:
            problems[line.number] = line.problem
            yield "\n"
        else:
            yield line.text + "\n"


def parse_csv(path: Path) -> Iterator[ParsedEntry | Skipped]:
    csv.field_size_limit(LINE_LIMIT)
    problems: dict[int, str] = {}
    lines = _physical_lines(path, problems)
    header_line = next(lines, "")
    delimiter = header_delimiter(header_line) or ","
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    if 1 in problems:
        yield Skipped(str(path), 1, f"CSV header: {problems[1]}")
        return
    if "abstract" not in known_columns(header):
        found = ", ".join(h.strip() for h in header) or "nothing"
        accepted = ", ".join(ALIASES["abstract"])
        reason = f"CSV header has no abstract column (found: {found}); name the abstract column one of: {accepted}"
        yield Skipped(str(path), 1, reason)
        return
    reader = csv.reader(lines, delimiter=delimiter)
    last = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Skipped(str(path), last + 1, f"malformed CSV row ({exc}); check the quoting of this row")
            last = 1 + reader.line_num
            continue
        start, last = last + 1, 1 + reader.line_num
        bad = [n for n in range(start, last + 1) if n in problems]
        if bad:
            yield from (Skipped(str(path), n, problems.pop(n)) for n in bad)
            continue
        if not any(cell.strip() for cell in row):
            continue
        record = dict(zip(header, row, strict=False))
        yield entry_from_record(path, start, record)
