"""Render every Markdown page under docs/ into an HTML file under public/."""

import html
import pathlib

SOURCE = pathlib.Path("docs")
OUTPUT = pathlib.Path("public")


def main() -> None:
    OUTPUT.mkdir(exist_ok=True)
    for page in sorted(SOURCE.glob("*.md")):
        body = html.escape(page.read_text())
        (OUTPUT / f"{page.stem}.html").write_text(f"<pre>{body}</pre>\n")


if __name__ == "__main__":
    main()
