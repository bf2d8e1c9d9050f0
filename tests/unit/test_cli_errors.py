"""The errors a newcomer meets first: one line on stderr saying what to do, and the exit code."""

import pytest

from contracts.feeds import FEEDS
from entrypoints import cli
from entrypoints.cli import main


@pytest.fixture(autouse=True)
def _logging_left_alone(monkeypatch):
    # main() configures structlog for a terminal; other tests read the JSON logs.
    monkeypatch.setattr(cli, "configure_logging", lambda *args, **kwargs: None)


def run(capsys, *args):
    code = main(list(args))
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize(
    "command", [("push", "x.json", "--feed", "ZEMM999"), ("upload", "ZEMM999", "x.csv")]
)
def test_unknown_feed_is_refused_with_the_list_of_feeds(capsys, command):
    code, err = run(capsys, *command, "--endpoint", "http://127.0.0.1:9")

    assert code == 2
    assert err == f"ior: unknown feed 'ZEMM999'; feeds: {', '.join(sorted(FEEDS))}\n"


def test_push_of_a_csv_points_to_upload(capsys, tmp_path):
    file = tmp_path / "ZSDR010.csv"
    file.write_text("customer_id\n")

    code, err = run(capsys, "push", str(file), "--endpoint", "http://127.0.0.1:9")

    assert code == 2
    assert err == f"ior: {file}: ior push takes SAP JSON extracts; use ior upload FEED FILE\n"


def test_unknown_service_names_are_listed_as_words_not_a_tuple(capsys):
    code, err = run(capsys, "worker", "nope", "--endpoint", "http://127.0.0.1:9")

    assert code == 2
    assert err.startswith("ior: unknown service nope; choose from ingestion, ")
    assert "(" not in err and "'" not in err


def test_every_command_has_a_help_text_that_says_what_it_does(capsys):
    from entrypoints.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert sub.description, f"ior {name} --help says nothing"
