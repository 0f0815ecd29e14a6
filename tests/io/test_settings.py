"""The settings file: defaults without a file, validation that names the key and the allowed
values, flags over the file, and the `config` subcommand (text, JSON, --init)."""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from pathlib import Path

import pytest

from posture.app.cli import main
from posture.core.alerts import AlertSettings
from posture.core.errors import UserError
from posture.io.settings import (
    ALERT_SPECS,
    SECTIONS,
    Settings,
    apply_overrides,
    load_settings,
    settings_path,
    specs,
    tomllib,  # tomllib, or tomli on Python 3.10
)


def write(text: str) -> Path:
    """Write the user's settings file (under the test's POSTURE_HOME) and return its path."""
    path = settings_path()
    path.write_text(text, encoding="utf-8")
    return path


def error(text: str) -> str:
    """The one-line message load_settings raises for a settings file holding `text`."""
    write(text)
    with pytest.raises(UserError) as info:
        load_settings()
    message = str(info.value)
    assert "\n" not in message
    return message


def toml_document(data: dict) -> str:
    """Nested sections of scalars as TOML (a JSON scalar is a valid TOML value)."""
    lines = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def every_key() -> list[tuple[str, str]]:
    """(section, key) for every setting."""
    return [(section, key) for section in SECTIONS for key in specs(section)]


def test_specs_cover_every_field_and_defaults_are_allowed():
    assert set(ALERT_SPECS) == {f.name for f in dataclasses.fields(AlertSettings)}
    keys = [key for _, key in every_key()]
    assert len(keys) == len(set(keys)), "flags are named after keys: keys must be unique"
    defaults = Settings()
    for section, key in every_key():
        kind, spec = specs(section)[key]
        value = getattr(getattr(defaults, section), key)
        assert isinstance(value, typing.get_origin(kind) or kind), (section, key)
        if kind in (int, float):
            assert math.isfinite(spec.lo) and math.isfinite(spec.hi), (section, key)
            assert spec.lo <= value <= spec.hi, (section, key)


def test_defaults_without_a_file(posture_home):
    assert not settings_path().exists()
    assert settings_path().is_relative_to(posture_home)
    assert load_settings() == Settings()
    assert Settings().alerts == AlertSettings()
    assert Settings().monitor.fps_good == 1.0 and Settings().voice.rate == 200


def test_a_valid_file_overrides_the_defaults():
    write("[alerts]\ncooldown_s = 300\nmax_problems = 1\n\n[monitor]\nwindow = false\n"
          'camera = "clip.mp4"\n\n[voice]\nrate = 150\n')
    settings = load_settings()
    assert settings.alerts.cooldown_s == 300.0 and isinstance(settings.alerts.cooldown_s, float)
    assert settings.alerts.max_problems == 1
    assert settings.alerts.onset_s == AlertSettings().onset_s
    assert settings.monitor.window is False and settings.monitor.camera == "clip.mp4"
    assert settings.voice.rate == 150 and settings.voice.enabled is True


def test_an_explicit_path_is_read(tmp_path):
    path = tmp_path / "elsewhere.toml"
    path.write_text("[voice]\nenabled = false\n", encoding="utf-8")
    assert load_settings(path).voice.enabled is False


def test_unknown_key_names_the_key_and_the_known_ones():
    message = error("[alerts]\ncooldown = 60\n")
    assert str(settings_path()) in message
    assert "alerts.cooldown " in message and "did you mean alerts.cooldown_s?" in message
    assert all(key in message for key in specs("alerts"))


def test_unknown_section_names_the_sections():
    message = error("[alert]\ncooldown_s = 60\n")
    assert "[alert]" in message and "alerts, monitor, voice" in message


def test_a_key_outside_its_section_names_the_section():
    assert "put it under [monitor]" in error("mute = true\n")


@pytest.mark.parametrize(
    ("text", "key", "allowed"),
    [
        ("[alerts]\ncooldown_s = 5", "alerts.cooldown_s = 5", "a number from 10 to 3600"),
        ("[alerts]\ncooldown_s = nan", "alerts.cooldown_s = nan", "a number from 10 to 3600"),
        ('[alerts]\ncooldown_s = "60"', 'alerts.cooldown_s = "60"', "a number from 10 to 3600"),
        ("[alerts]\nmax_problems = 1.5", "alerts.max_problems = 1.5",
         "a whole number from 1 to 6"),
        ("[alerts]\nmax_problems = true", "alerts.max_problems = true",
         "a whole number from 1 to 6"),
        ("[monitor]\nwindow = 1", "monitor.window = 1", "true or false"),
        ("[monitor]\ncamera = 0", "monitor.camera = 0",
         'a non-empty string in quotes (default "0")'),
        ('[monitor]\nprofile = " "', 'monitor.profile = " "', "a non-empty string"),
        ("[voice]\nrate = [1, 2]", "voice.rate = [1, 2]", "a whole number from 80 to 400"),
        ("[voice]\nrate = 1000", "voice.rate = 1000", "a whole number from 80 to 400"),
        ("voice = 3", "[voice] must be a section", "[voice] header"),
    ],
)
def test_a_bad_value_names_the_key_and_the_allowed_values(text, key, allowed):
    message = error(text + "\n")
    assert message.startswith(f"{settings_path()}: ")
    assert key in message and allowed in message


def test_the_sampling_rates_must_be_in_order():
    message = error("[monitor]\nfps_good = 8\n")
    assert "monitor.fps_good (8)" in message and "monitor.fps_bad (1.5)" in message
    message = error("[monitor]\nfps_settled = 2\nfps_good = 1\n")
    assert "monitor.fps_settled (2)" in message and "monitor.fps_good (1)" in message


def test_a_toml_syntax_error_names_the_file_and_the_line():
    message = error("[alerts]\ncooldown_s = 60\nonset_s 30\n")
    assert str(settings_path()) in message and "line 3" in message


def test_a_file_that_is_not_utf8_is_refused():
    settings_path().write_bytes(b"[voice]\nrate = 200 # \xff\n")
    with pytest.raises(UserError, match="not UTF-8"):
        load_settings()


def test_flags_override_the_file():
    write("[monitor]\nmute = false\nprofile = \"desk\"\nfps_active = 6\n")
    settings = apply_overrides(load_settings(), mute=True, profile=None, window=False,
                               cooldown_s=60)
    assert settings.monitor.mute is True and settings.monitor.window is False
    assert settings.monitor.profile == "desk"  # None: flag not given, the file's value stays
    assert settings.monitor.fps_active == 6.0
    assert settings.alerts.cooldown_s == 60.0
    fixed = apply_overrides(settings, fps=4)
    m = fixed.monitor
    assert (m.fps_settled, m.fps_good, m.fps_bad, m.fps_active) == (4.0, 4.0, 4.0, 4.0)
    exact = apply_overrides(settings, fps=4, fps_active=9)
    assert (exact.monitor.fps_good, exact.monitor.fps_active) == (4.0, 9.0)
    assert apply_overrides(settings) == settings


def test_a_bad_flag_names_the_flag_and_the_allowed_values():
    with pytest.raises(UserError, match=r"^--fps 100 .*a number from 0.1 to 30"):
        apply_overrides(Settings(), fps=100)
    with pytest.raises(UserError, match="command line: monitor.fps_good"):
        apply_overrides(Settings(), fps_good=10)
    with pytest.raises(TypeError):
        apply_overrides(Settings(), volume=3)


def test_config_prints_the_path_and_every_key(capsys):
    write("[alerts]\ncooldown_s = 300\n")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert str(settings_path()) in out and "not found" not in out
    for section, key in every_key():
        assert f"\n{key} = " in out, (section, key)
    assert "\ncooldown_s = 300.0  # a number from 10 to 3600; default 120.0\n" in out
    # The text is itself a valid settings file holding the same settings.
    assert load_settings(write(out)) == load_settings()


def test_config_says_when_there_is_no_file(capsys):
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert str(settings_path()) in out and "not found" in out and "posture config --init" in out


def test_config_json_round_trips_through_load(capsys):
    write("[monitor]\nprofile = \"laptop \\\"2\\\"\"\nfps_good = 1\n\n[voice]\nmax_age_s = 4\n")
    assert main(["config", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["path"] == str(settings_path()) and shown["exists"] is True
    assert shown["settings"]["monitor"]["profile"] == 'laptop "2"'
    expected = load_settings()
    assert shown["settings"] == json.loads(json.dumps(dataclasses.asdict(expected)))
    assert load_settings(write(toml_document(shown["settings"]))) == expected


def test_init_writes_a_default_file_and_never_overwrites(capsys):
    assert main(["config", "--init"]) == 0
    path = settings_path()
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {section: {} for section in SECTIONS}  # every key commented
    assert load_settings() == Settings()
    assert "# cooldown_s = 120.0" in text
    capsys.readouterr()
    path.write_text("[voice]\nrate = 150\n", encoding="utf-8")
    assert main(["config", "--init"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "already exists" in err
    assert path.read_text(encoding="utf-8") == "[voice]\nrate = 150\n"


def test_a_broken_file_makes_config_exit_2_with_one_line(capsys):
    write("[alerts]\ncooldown_s = 1\n")
    assert main(["config"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("posture: error: ") and "alerts.cooldown_s" in captured.err
