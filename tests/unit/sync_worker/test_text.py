from cmis_sync_worker.domain.text import CAMPAIGN_NAME_LENGTH, clean_text


def test_nul_bytes_are_removed() -> None:
    assert clean_text("Spring\x00 sale") == "Spring sale"


def test_over_long_text_is_cut_to_its_column() -> None:
    assert clean_text("x" * 5000, CAMPAIGN_NAME_LENGTH) == "x" * CAMPAIGN_NAME_LENGTH


def test_lone_surrogates_become_encodable() -> None:
    cleaned = clean_text("caf\udce9")
    assert cleaned.encode("utf-8")
    assert cleaned.startswith("caf")


def test_clean_text_is_returned_unchanged() -> None:
    assert clean_text("Été 2026 – brand", 500) == "Été 2026 – brand"  # noqa: RUF001 - a real dash in a real name
