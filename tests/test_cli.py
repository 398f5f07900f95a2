import pytest

from textmine.cli import _COMMANDS, build_parser, main


def test_every_command_has_help_with_example(capsys):
    assert _COMMANDS, "no commands registered"
    for name in _COMMANDS:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert "example:" in out, f"'textmine {name} --help' shows no example"


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_unknown_command_exits_2():
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["frobnicate"])
    assert exc.value.code == 2


def test_size_and_tokenize_commands(capsys):
    assert main(["size", "两千多人", "中型企业"]) == 0
    out = capsys.readouterr().out
    assert '"bucket": "2000+"' in out and '"bucket": "unknown"' in out
    assert main(["tokenize", "消息已讀不回"]) == 0
    assert "已读不回" in capsys.readouterr().out
