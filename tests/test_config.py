from __future__ import annotations

from pathlib import Path

import pytest

from sfnxr.config import ConfigError, find_config, load_config

PYPROJECT = """\
[project]
name = "x"

[tool.sfnxr]
proxy-arn = "arn:aws:lambda:us-east-1:123456789012:function:p:live"
home-region = "us-east-1"

[[tool.sfnxr.rules]]
files = ["flows/*.asl.json"]
resource = "aws-sdk:glue:*"
region = "eu-west-1"
"""


def test_pyproject_table_is_found_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    path = find_config(deep)
    assert path == tmp_path / "pyproject.toml"
    config = load_config(path)
    assert config.proxy_arn == "arn:aws:lambda:us-east-1:123456789012:function:p:live"
    assert config.home_region == "us-east-1"
    (rule,) = config.rules
    assert rule.region == "eu-west-1" and rule.resources == ("aws-sdk:glue:*",) and rule.line == 8
    assert rule.matches("flows/x.asl.json", "Any", "aws-sdk:glue:startCrawler")
    assert not rule.matches("other/x.asl.json", "Any", "aws-sdk:glue:startCrawler")
    assert not rule.matches("flows/x.asl.json", "Any", "aws-sdk:s3:getObject")
    assert config.relative(str(tmp_path / "flows" / "x.asl.json")) == "flows/x.asl.json"


def test_sfnxr_toml_wins_over_a_pyproject_without_the_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    assert find_config(tmp_path) is None
    (tmp_path / ".sfnxr.toml").write_text('home-region = "eu-west-1"\n')
    config = load_config(find_config(tmp_path))
    assert config.home_region == "eu-west-1" and config.lambda_retry


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'home-region = "a"\nproxy_arn = "x"\n',
            2,
            "unknown setting 'proxy_arn' (did you mean 'proxy-arn'?)",
        ),
        ("lambda-retry = 1\n", 1, "lambda-retry must be true or false"),
        ('[[rules]]\nregion = "us-west-2"\n\n[[rules]]\nstates = ["A"]\n', 4, "rules[1]: region is required"),
        ('[[rules]]\nregion = "r"\nresource = "s3:getObject"\n', 1, "must look like aws-sdk:SERVICE:ACTION"),
        ('[[rules]]\nregion = "r"\nregoin = "x"\n', 1, "unknown key 'regoin' (did you mean 'region'?)"),
        ('home-region = "a\n', 1, "invalid TOML"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / ".sfnxr.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: ")
