"""A short, human name for the browser and device a User-Agent header describes ("Chrome on
Android"), so a person can tell their devices apart in a list. A guess from a header anyone can
set: never used to decide anything."""

import re

from django.utils.translation import gettext as _

# Checked in order: browsers that also call themselves Chrome or Safari come first.
BROWSERS = (
    ("Edge", r"\bEdgA?/|\bEdgiOS/"),
    ("Samsung Internet", r"\bSamsungBrowser/"),
    ("Opera", r"\bOPR/|\bOPiOS/"),
    ("Firefox", r"\bFirefox/|\bFxiOS/"),
    ("Chrome", r"\bChrome/|\bCriOS/|\bChromium/"),
    ("Safari", r"\bSafari/"),
)
SYSTEMS = (
    ("iPhone", r"\biPhone\b"),
    ("iPad", r"\biPad\b"),
    ("Android", r"\bAndroid\b"),
    ("ChromeOS", r"\bCrOS\b"),
    ("Windows", r"\bWindows\b"),
    ("Mac", r"\bMacintosh\b|\bMac OS X\b"),
    ("Linux", r"\bLinux\b"),
)


def device_label(user_agent: str) -> str:
    browser = next((name for name, pattern in BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in SYSTEMS if re.search(pattern, user_agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system
