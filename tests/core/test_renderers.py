"""The API's JSON renderer (orjson) writes what DRF's own renderer writes."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.renderers import JSONRenderer

VALUES = {
    "text": '朝阳社区 “达标” \\ " \t\n',
    "separators": "一\u2028二\u2029三",
    "numbers": [0, -7, 2**62, 1.5, 0.1, Decimal("12.50"), True, False, None],
    "when": datetime.datetime(2026, 12, 6, 8, 30, 15, 123456, tzinfo=datetime.UTC),
    "naive": datetime.datetime(2026, 12, 6, 8, 30),
    "day": datetime.date(2026, 12, 6),
    "time": datetime.time(8, 30, 15, 123456),
    "lazy": gettext_lazy("该对象不在您的管辖范围内。"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "nested": ReturnDict({"rows": ReturnList([{"a": 1}, {}], serializer=None)}, serializer=None),
    "empty": [[], {}],
}


@pytest.mark.parametrize("data", [VALUES, [VALUES, VALUES], {}, [], "", 0])
def test_output_is_drfs_byte_for_byte(data):
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


def test_line_separators_are_escaped_as_drf_escapes_them():
    assert JSONRenderer().render({"t": "一\u2028二"}) == '{"t":"一\\u2028二"}'.encode()


def test_an_integer_beyond_64_bits_and_an_indented_answer_are_drfs():
    big = {"n": 2**70}
    assert JSONRenderer().render(big) == b'{"n":1180591620717411303424}'
    indented = JSONRenderer().render(VALUES, "application/json; indent=2")
    assert indented == renderers.JSONRenderer().render(VALUES, "application/json; indent=2")
    assert indented.startswith(b'{\n  "text"')


def test_nothing_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_a_value_neither_encodes_is_refused():
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})


@pytest.mark.django_db
def test_the_api_answers_with_it(world, api):
    response = api.as_user(world.officer).get("/api/v1/communities/")
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert response.content == renderers.JSONRenderer().render(response.data)
