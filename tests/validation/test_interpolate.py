import pytest

from runner.loading.interpolate import InterpolationError, interpolate

ENV = {"SET": "value", "EMPTY": "", "PORT": "4002"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${SET}", "value"),
        ("$SET", "value"),
        ("pre-${SET}-post", "pre-value-post"),
        ("$$SET", "$SET"),
        ("$${SET}", "${SET}"),
        ("${UNSET:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${UNSET-fallback}", "fallback"),
        ("${SET:-fallback}", "value"),
        ("${UNSET:-${PORT}}", "4002"),
        ("${UNSET:-a${SET}b}", "avalueb"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${SET:?must be set}", "value"),
        ("${UNSET-}", ""),
    ],
)
def test_compose_interpolation(text, expected):
    assert interpolate(text, ENV) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${UNSET}", "variable UNSET is not set"),
        ("$UNSET", "variable UNSET is not set"),
        ("${UNSET:?give me UNSET}", "required variable UNSET is missing a value: give me UNSET"),
        ("${EMPTY:?}", "required variable EMPTY is missing a value"),
        ("${SET", "expected '}'"),
        ("${UNSET:-open", "unterminated"),
        ("cost $ 5", "write '$$' for a literal '$'"),
        ("${9X}", "invalid variable name"),
    ],
)
def test_interpolation_errors_say_what_is_wrong(text, message):
    with pytest.raises(InterpolationError, match=message.replace("$", r"\$").replace("{", r"\{")):
        interpolate(text, ENV)
