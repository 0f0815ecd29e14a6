"""The settings file: every threshold, delay, rate and voice option in one TOML file.

`config_dir()/config.toml` (under $POSTURE_HOME when set) holds sections [alerts] (the fields of
posture.core.alerts.AlertSettings), [monitor], [voice] and [schedule] (work hours). Each key's
type and default come from its dataclass field, and its range and help are declared once
(`Spec`), so validation, the error
messages and `posture config` can never disagree. A missing file means the defaults; a bad one
is a UserError naming the file, the key, the allowed values and the fix, because a typo must
not silently fall back to a default for hours. Command-line flags override the file
(`apply_overrides`).

The slouch score's constants (posture.core.score) are module constants that SlouchScore does not
take as arguments, so there is no [score] section until they can be passed in.
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

from posture.core.alerts import AlertSettings
from posture.core.errors import UserError
from posture.core.sampling import Sampling
from posture.io.paths import config_dir, refuse_folder
from posture.io.schedule_settings import ScheduleSettings, check_schedule
from posture.io.setting_spec import Spec, setting
from posture.io.speech import DEFAULT_RATE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SETTINGS = "the settings file"  # what a folder in its place is called
FILE_NAME = "config.toml"
CAMERA_SIZE = (640, 480)  # modest capture resolution: pose accuracy does not need more
FILE_FIX = "correct it, or delete the line to use the default"
BY_SETUP = "auto"  # monitor.profile's default: the profile made for the camera's set-up


# AlertSettings lives in posture.core.alerts and carries no metadata: its ranges and help are here.
ALERT_SPECS: dict[str, Spec] = {
    "score_threshold": Spec("Slouch score (0-100) at or above which posture is worth a prompt.",
                            1, 100),
    "onset_s": Spec("Seconds a bad spell must last before a posture prompt.", 0, 3600),
    "spell_gap_s": Spec("Seconds of good posture (or nobody) that do not yet end a bad spell.",
                        0, 600),
    "rearm_fraction": Spec("After a prompt, the score must fall below this share of the threshold "
                           "before the next prompt is gentle again.", 0, 1),
    "cooldown_s": Spec("Minimum seconds between posture prompts; also how often an ignored "
                       "slouch is repeated.", 10, 3600),
    "escalate_after": Spec("Prompts ignored at one level before the next repeat is firmer.",
                           1, 10),
    "max_escalation": Spec("Highest firmness level of repeated prompts (0: never firmer).", 0, 10),
    "problem_share": Spec("A problem is named when seen at least this share of the time of the "
                          "most seen one.", 0, 1),
    "max_problems": Spec("At most this many problems named in one prompt.", 1, 6),
    "stretch_count": Spec("Stretches suggested per prompt.", 1, 5),
    "card_s": Spec("Seconds a prompt's stretch card stays on screen.", 1, 600),
    "snooze_s": Spec("Seconds the snooze key silences posture prompts.", 60, 8 * 3600),
    "break_after_s": Spec("Seconds at the desk before a break reminder.", 300, 4 * 3600),
    "break_min_away_s": Spec("Seconds with nobody in view that count as a break.", 10, 3600),
    "break_repeat_s": Spec("While you stay after a break reminder, repeat it this often "
                           "(seconds).", 60, 4 * 3600),
    "min_gap_s": Spec("Minimum seconds between any two prompts.", 0, 600),
}


@dataclass(frozen=True)
class MonitorSettings:
    """How `posture run` samples the camera and what it starts with."""

    fps_settled: float = setting(Sampling.settled, "Frames per second once posture has been "
                                 "good for half a minute.", 0.1, 30)
    fps_good: float = setting(Sampling.slow, "Frames per second while posture is steady and "
                              "good.", 0.1, 30)
    fps_bad: float = setting(Sampling.bad, "Frames per second while posture stays bad.", 0.1, 30)
    fps_active: float = setting(Sampling.fast, "Frames per second for a few seconds after "
                                "posture changes.", 0.1, 30)
    capture_width: int = setting(CAMERA_SIZE[0], "Camera capture width in pixels.", 160, 3840)
    capture_height: int = setting(CAMERA_SIZE[1], "Camera capture height in pixels.", 120, 2160)
    away_after_s: float = setting(3.0, "Seconds with nobody in view before the status says you "
                                  "are away (a shorter gap is a missed detection).",
                                  0.5, 60)
    camera: str = setting("0", "Camera index (\"0\", \"1\", ...) or a video file to watch.")
    window: bool = setting(True, "On a desktop: the tray icon, and the camera window when asked "
                           "(false: run headless, in the console).")
    mute: bool = setting(False, "Start with spoken prompts muted (they are still shown).")
    profile: str = setting(BY_SETUP, "Calibration profile name or .json path (auto: at a camera, "
                           "the profile made for its set-up; see posture profiles).")
    camera_device: str = setting("auto", "Device watched for other programs using the camera, "
                                 "so the monitor steps aside for a call (auto: /dev/videoN for "
                                 "camera N, none for a file; a path: that device, e.g. when the "
                                 "camera is reached through another node).")

    def sampling(self) -> Sampling:
        """The adaptive sampling policy with these rates."""
        return Sampling(self.fps_settled, self.fps_good, self.fps_bad, self.fps_active)


@dataclass(frozen=True)
class VoiceSettings:
    """How prompts are spoken (posture.io.voice.Voice options)."""

    rate: int = setting(DEFAULT_RATE, "Speaking rate in words per minute.", 80, 400)
    # A posture prompt this old no longer describes what the user is doing.
    max_age_s: float = setting(10.0, "A prompt not yet spoken after this many seconds is "
                               "dropped (it no longer describes you).", 1, 120)
    enabled: bool = setting(True, "Speak prompts aloud (false: never start the speech engine, "
                            "show prompts as text only).")


@dataclass(frozen=True)
class Settings:
    """Every user setting, one attribute per file section."""

    alerts: AlertSettings = field(default_factory=AlertSettings)
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)


SECTIONS: dict[str, type] = get_type_hints(Settings)
# Flags named after a setting set it; an alias sets several ("--fps 4": a fixed rate).
ALIASES: dict[str, tuple[str, ...]] = {"fps": ("fps_settled", "fps_good", "fps_bad",
                                                "fps_active")}
FLAGS = {"camera": "--source"}  # settings whose command-line flag has another name


def settings_path() -> Path:
    """The settings file: config_dir()/config.toml (it may not exist)."""
    return config_dir() / FILE_NAME


def specs(section: str) -> dict[str, tuple[type, Spec]]:
    """Each key of a section with its type and Spec, in declaration order."""
    cls = SECTIONS[section]
    hints = get_type_hints(cls)
    return {f.name: (hints[f.name], _spec(cls, f)) for f in fields(cls)}


def _spec(cls: type, f: Field[Any]) -> Spec:
    """A field's Spec: from its metadata, or ALERT_SPECS for AlertSettings."""
    return ALERT_SPECS[f.name] if cls is AlertSettings else f.metadata["spec"]


def allowed(kind: type, spec: Spec) -> str:
    """The allowed values in words, e.g. 'a number from 10 to 3600'."""
    if spec.means:
        return spec.means
    if kind is bool:
        return "true or false"
    if kind is str:
        return "a non-empty string in quotes"
    noun = "a whole number" if kind is int else "a number"
    return f"{noun} from {spec.lo:g} to {spec.hi:g}"


def toml_value(value: Any) -> str:
    """A setting's value written as TOML (bool, int, float, string or a list of strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, list, tuple)):  # JSON strings and lists of them are TOML too
        return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    return repr(value)


def convert(kind: type, spec: Spec, value: Any) -> Any:
    """The value as the setting's type; ValueError if it has another type or is out of range."""
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is str:
        ok = isinstance(value, str) and bool(value.strip()) and spec.parses([value])
    elif kind == tuple[str, ...]:  # a TOML array of strings
        ok = (isinstance(value, list) and all(isinstance(v, str) for v in value)
              and spec.parses(value))
        value = tuple(value) if ok else value
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and spec.lo <= value <= spec.hi
    else:  # float: TOML writes 120 and 120.0 alike; NaN fails the range test
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
              and spec.lo <= value <= spec.hi)
        value = float(value) if ok else value
    if not ok:
        raise ValueError(value)
    return value


def _shown(value: Any) -> str:
    """A value as the user wrote it, for error messages (TOML for scalars and lists)."""
    if isinstance(value, list) and all(isinstance(v, (bool, int, float, str)) for v in value):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, (bool, int, float, str)):
        return toml_value(value)
    return f"a {type(value).__name__}"


RATES = ALIASES["fps"]  # slowest first


def _check_rates(settings: Settings, origin: str) -> None:
    """Adaptive sampling speeds up as posture needs watching: each rate at most the next."""
    m = settings.monitor
    for low, high in zip(RATES, RATES[1:], strict=False):
        if getattr(m, low) > getattr(m, high):
            raise UserError(f"{origin}: monitor.{low} ({getattr(m, low):g}) is above monitor."
                            f"{high} ({getattr(m, high):g}): the rates must not fall as posture "
                            f"needs more watching ({' <= '.join(RATES)}); lower {low} or raise "
                            f"{high}")


def _section_values(section: str, table: Any, origin: str) -> dict[str, Any]:
    """The validated keys of one file section (only those the file sets)."""
    known = specs(section)
    if not isinstance(table, dict):
        raise UserError(f"{origin}: [{section}] must be a section of keys, not {_shown(table)}: "
                        f"write it as a [{section}] header followed by key = value lines")
    defaults = SECTIONS[section]()
    values = {}
    for key, value in table.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {section}.{close[0]}? " if close else ""
            raise UserError(f"{origin}: unknown setting {section}.{key} ({hint}known in "
                            f"[{section}]: {', '.join(known)}): fix the name or remove the line")
        kind, spec = known[key]
        try:
            values[key] = convert(kind, spec, value)
        except ValueError:
            default = getattr(defaults, key)
            raise UserError(f"{origin}: {section}.{key} = {_shown(value)} is not allowed: it must "
                            f"be {allowed(kind, spec)} (default {toml_value(default)}); "
                            f"{FILE_FIX}") from None
    return values


def parse_settings(document: dict[str, Any], origin: str) -> Settings:
    """Settings from a parsed TOML document; UserError (prefixed with `origin`) if invalid."""
    sections = {}
    for name, table in document.items():
        if name not in SECTIONS:
            owner = [s for s in SECTIONS if name in specs(s)]
            if owner:
                raise UserError(f"{origin}: {name} must be inside a section: put it under "
                                f"[{owner[0]}]")
            raise UserError(f"{origin}: unknown section [{name}] (sections: "
                            f"{', '.join(SECTIONS)}): fix the name or remove it")
        sections[name] = replace(SECTIONS[name](), **_section_values(name, table, origin))
    settings = Settings(**sections)
    _check_rates(settings, origin)
    check_schedule(settings.schedule, origin)
    return settings


def load_settings(path: Path | None = None) -> Settings:
    """The settings in `path` (default: settings_path()); the defaults when it does not exist."""
    path = refuse_folder(settings_path() if path is None else Path(path), SETTINGS)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise UserError(f"cannot read settings file {path} ({exc.strerror}): fix its "
                        "permissions or delete it to use the defaults") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text: save it as UTF-8 or delete it to use the "
                        "defaults") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML ({exc}): fix that line, or delete the file to "
                        "use the defaults") from None
    return parse_settings(document, str(path))


def apply_overrides(settings: Settings, **flags: Any) -> Settings:
    """The settings with command-line flags applied; a flag given as None was not given.

    A flag is named after its key (mute=True, profile="laptop", cooldown_s=60) or is an alias
    (fps=4 sets every sampling rate; fps_good and the others, if also given, win). A value out of
    range raises UserError naming the flag; an unknown flag name is a bug (TypeError).
    """
    owners = {key: section for section in SECTIONS for key in specs(section)}
    updates: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
    given = [(name, value) for name, value in flags.items() if value is not None]
    for name, value in sorted(given, key=lambda item: item[0] not in ALIASES):  # aliases first
        keys = ALIASES.get(name, (name,))
        if any(key not in owners for key in keys):
            raise TypeError(f"apply_overrides: no setting is called {name!r}")
        section = owners[keys[0]]
        kind, spec = specs(section)[keys[0]]
        try:
            value = convert(kind, spec, value)
        except ValueError:
            flag = FLAGS.get(name, "--" + name.replace("_", "-"))
            raise UserError(f"{flag} {_shown(value)} is not allowed: it must be "
                            f"{allowed(kind, spec)}") from None
        for key in keys:
            updates[owners[key]][key] = value
    settings = Settings(**{section: replace(getattr(settings, section), **values)
                           for section, values in updates.items()})
    _check_rates(settings, "command line")
    return settings


def to_toml(settings: Settings, commented: bool = False) -> str:
    """The settings as TOML, each key under its help, with the allowed values and the default.

    commented=True comments every key out, for a starter file that keeps following the defaults
    until the user uncomments a line.
    """
    lines = []
    for section in SECTIONS:
        lines += ["", f"[{section}]"]
        values = getattr(settings, section)
        defaults = SECTIONS[section]()
        for key, (kind, spec) in specs(section).items():
            default = getattr(defaults, key)
            lines.append(f"# {spec.help}")
            line = (f"{key} = {toml_value(getattr(values, key))}  # "
                    f"{allowed(kind, spec)}; default {toml_value(default)}")
            lines.append("# " + line if commented else line)
    return "\n".join(lines) + "\n"


def init_file(path: Path) -> None:
    """Write a commented default settings file at `path`; never replace an existing one."""
    header = ("# posture settings. Uncomment a line and change its value to override the "
              "default;\n# command-line flags override this file. Check it with: posture config\n")
    refuse_folder(path, SETTINGS)
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(header + to_toml(Settings(), commented=True))
    except FileExistsError:
        raise UserError(f"{path} already exists: edit it, or delete it first to write a fresh "
                        "default file") from None
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror}): fix the folder's "
                        "permissions") from None
