"""The app's Streamlit settings (.streamlit/config.toml), read as Streamlit reads them."""

import pytest
from streamlit import config

from tests.conftest import ROOT


@pytest.fixture
def app_config(monkeypatch):
    """Streamlit's options as `streamlit run` in the checkout sees them."""
    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    yield config.get_option
    config.get_config_options(force_reparse=True)


def test_the_tables_own_download_button_is_hidden(app_config):
    # st.dataframe's "Download as CSV" writes cells such as =HYPERLINK(...)
    # as they are, around the export's guard against formulas.
    assert app_config("client.disableDataExport") is True


def test_an_error_shows_no_traceback_or_server_paths(app_config):
    # "none": a generic message in the browser; the details go to the console.
    assert app_config("client.showErrorDetails") == "none"
