"""Best-effort "Browser on OS" labels of trusted devices (D25.13)."""
from __future__ import annotations

import pytest

from chalicelib.tfa.trusted_devices import device_label

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
EDGE_WINDOWS = CHROME_WINDOWS + " Edg/126.0.0.0"
SAFARI_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Safari/605.1.15")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Mobile Safari/537.36")


@pytest.mark.parametrize(("user_agent", "label"), [
    (FIREFOX_LINUX, "Firefox on Linux"),
    (CHROME_WINDOWS, "Chrome on Windows"),
    (EDGE_WINDOWS, "Edge on Windows"),
    (SAFARI_MAC, "Safari on macOS"),
    (SAFARI_IPHONE, "Safari on iOS"),
    (CHROME_ANDROID, "Chrome on Android"),
    ("curl/8.5.0", "Unknown device"),
    ("", "Unknown device"),
])
def test_label_names_browser_and_os_when_user_agent_is_recognised(user_agent, label):
    assert device_label(user_agent) == label
