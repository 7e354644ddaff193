"""`trustdesk knowledge …` as the README shows it, run as a newcomer would, in a fresh directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TRUSTDESK = str(Path(sys.executable).parent / "trustdesk")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTDESK_")}
    return subprocess.run(
        [TRUSTDESK, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_readme_search_answers_from_the_returns_article(tmp_path: Path) -> None:
    done = run(tmp_path, "knowledge", "search", "how many days do I have to return shoes?")
    assert done.returncode == 0, done.stderr
    first_line = done.stdout.splitlines()[0]
    assert first_line.startswith(
        "answer (Returns and the return window — How many days do I have to return something?):"
    )
    assert "You have 30 days from delivery to start a return." in first_line
    assert (tmp_path / ".trustdesk" / "knowledge" / "returns.md").exists()


def test_sync_reindexes_an_edited_file_and_no_match_says_so(tmp_path: Path) -> None:
    assert run(tmp_path, "knowledge", "sync").returncode == 0
    (tmp_path / ".trustdesk" / "knowledge" / "pets.md").write_text(
        "# Pets\n## Can I bring my dog to your warehouse?\nDogs are welcome at the warehouse.\n"
    )
    synced = run(tmp_path, "knowledge", "sync")
    assert synced.returncode == 0 and "indexed 10 articles" in synced.stdout, synced.stdout
    found = run(tmp_path, "knowledge", "search", "may I bring my dog along?")
    assert "Dogs are welcome at the warehouse." in found.stdout
    none = run(tmp_path, "knowledge", "search", "recommend a pizza place nearby")
    assert none.returncode == 1 and none.stdout.startswith("no match")
