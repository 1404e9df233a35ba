"""A search's parameters, checked by one module for the web app and the command line: the same values
refused with the same code, and a place typed any way resolved to the name the index holds."""

from __future__ import annotations

import pytest
from conftest import DIEN_BIEN_2022, DIEN_BIEN_2023

from searcher.search.params import CODES, ParamError, filters, search_params


@pytest.mark.parametrize(
    "args, code",
    [
        ({"from": "yesterday"}, "bad_date"),
        ({"to": "2020-13-45"}, "bad_date"),
        ({"from": "2021", "to": "2020-12"}, "reversed_range"),
        ({"from": "2020-03-02", "to": "2020-03-01"}, "reversed_range"),
        ({"sort": "price"}, "bad_sort"),
        ({"place": "x" * 101}, "too_long"),
        ({"page": "abc"}, "bad_number"),
        ({"page": "0"}, "out_of_range"),
        ({"limit": "51"}, "out_of_range"),
        ({"q": "x" * 1001}, "too_long"),
    ],
)
def test_bad_values_have_a_stable_code(args, code):
    with pytest.raises(ParamError) as caught:
        search_params(args, 1000, 50, 10)
    assert caught.value.code == code and code in CODES


@pytest.mark.parametrize(
    "date_from, date_to",
    [("2020", "2020-05"), ("2020-05", "2020"), ("2020-05-31", "2020-05"), ("2019", "2019"), (None, "2019")],
)
def test_a_partial_date_covers_its_year_or_month(date_from, date_to):
    checked = filters({"from": date_from, "to": date_to})
    assert (checked.date_from, checked.date_to) == (date_from, date_to)


def test_messages_name_the_parameter_as_the_caller_spells_it():
    with pytest.raises(ParamError, match=r"^'--from' \(2021\) is after '--to' \(2020\): swap them$"):
        filters({"from": "2021", "to": "2020"}, prefix="--")
    with pytest.raises(ParamError, match=r"^'to' must be a date written YYYY-MM-DD"):
        filters({"to": "yesterday"})


@pytest.mark.parametrize(
    "typed, name",
    [
        ("Dien Bien", "Điện Biên"),
        ("dien bien", "Điện Biên"),
        ("  ĐIỆN   BIÊN ", "Điện Biên"),
        ("tỉnh Điện Biên", "Điện Biên"),
        ("TP HCM", "Thành phố Hồ Chí Minh"),
        ("Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("ho chi minh", "Thành phố Hồ Chí Minh"),
        ("thanh hoa", "Thanh Hóa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("Atlantis", "Atlantis"),  # no province: kept as typed, for places a JSON Lines export names
    ],
)
def test_a_place_is_resolved_to_the_index_name(typed, name):
    assert filters({"place": typed}).place == name


# --- the web app: the same checks, with the code beside the message --------------------------------
@pytest.fixture(scope="module")
def client(seed_index):
    from web import create_app

    return create_app({"INDEX_DIR": str(seed_index), "TESTING": True}).test_client()


@pytest.mark.parametrize(
    "args, code, message",
    [
        ({"from": "2021", "to": "2020"}, "reversed_range", "'from' (2021) is after 'to' (2020): swap them"),
        (
            {"to": "yesterday"},
            "bad_date",
            "'to' must be a date written YYYY-MM-DD (or YYYY, YYYY-MM), not 'yesterday'",
        ),
        ({"sort": "price"}, "bad_sort", "'sort' must be 'relevance' or 'date', not 'price'"),
        ({"page": "0"}, "out_of_range", "'page' must be from 1 to 1000, not 0"),
    ],
)
def test_web_answers_a_bad_parameter_with_its_code(client, args, code, message):
    response = client.get("/search.json", query_string={"q": "quốc phòng", **args})
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": message, "status": 400, "code": code}
    page = client.get("/", query_string={"q": "quốc phòng", **args})
    # the page explains a reversed range with a link the right way round (test_web); the rest are errors
    assert page.status_code == (200 if code == "reversed_range" else 400) and page.mimetype == "text/html"


def test_web_document_errors_have_codes(client):
    assert client.get("/doc.json", query_string={"id": "nope.txt"}).get_json()["code"] == "no_document"
    assert client.get("/doc.json", query_string={"id": "../x"}).get_json()["code"] == "bad_id"


@pytest.mark.parametrize("typed", ["Điện Biên", "dien bien", "Dien Bien", "ĐIỆN BIÊN"])
def test_web_place_filter_without_diacritics(client, typed):
    data = client.get("/search.json", query_string={"q": "quốc phòng", "place": typed}).get_json()
    assert {hit["id"] for hit in data["hits"]} == {DIEN_BIEN_2022, DIEN_BIEN_2023}
