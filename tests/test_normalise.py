import pytest

from geo.normalise import latin_key, normalise, normalise_with_offsets


@pytest.mark.parametrize(
    "text, key",
    [
        ("ريفِ حماةَ", "ريف حماه"),          # diacritics dropped, ta marbuta folded
        ("إدلب", "ادلب"),                    # hamza on alef folded
        ("مـــدينة", "مدينه"),               # tatweel dropped
        ("مستشفى", "مستشفي"),                # alef maqsura folded
        ("٢٠٢٤", "2024"),                    # Arabic-Indic digits
        ("Ḩamāh", "hamah"),                  # Latin accents stripped
        ("Ma'arrat an-Nu'man", "maarrat an numan"),
        ("  Deir   ez-Zor ", "deir ez zor"),
    ],
)
def test_normalise(text, key):
    assert normalise(text) == key


def test_offsets_point_back_into_the_raw_text():
    raw = "في ريفِ حماةَ"
    key, offsets = normalise_with_offsets(raw)
    start = key.index("حماه")
    end = start + len("حماه")
    assert raw[offsets[start]: offsets[end - 1] + 1] == "حماة"


def test_latin_key_drops_the_article():
    assert latin_key("Al-Qamishli") == "qamishli"
    assert latin_key("Qamishli") == "qamishli"
