"""Phone numbers in any format a person would dial (`recognizers/phone.py`), through `check()`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpscout_app.compliance import CheckOptions, Report, check

ExpectFindings = Callable[..., Report]
"""The `expect_findings` fixture (conftest.py): check a text, assert rules and exact spans."""

ZWSP = "\u200b"


def fullwidth(text: str) -> str:
    """ASCII digits and punctuation as their fullwidth forms: "555" → "５５５"."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def digits_in(text: str, zero: str) -> str:
    """ASCII digits written in another script, from the code point of its zero."""
    return "".join(chr(ord(zero) + int(char)) if char.isdigit() else char for char in text)


CASES = [
    # catches
    # -- US and Canada
    pytest.param(
        "Call (206) 266-1000 today", [("phone.national", "(206) 266-1000")], id="us-parens"
    ),
    pytest.param("Call 206-266-1000 today", [("phone.national", "206-266-1000")], id="us-dashes"),
    pytest.param("Call 206.266.1000 today", [("phone.national", "206.266.1000")], id="us-dots"),
    pytest.param("Call 206 266 1000 today", [("phone.national", "206 266 1000")], id="us-spaces"),
    pytest.param(
        "Call 1-206-266-1000 today", [("phone.national", "1-206-266-1000")], id="us-leading-1"
    ),
    pytest.param(
        "Call +1 206 266 1000 today", [("phone.international", "+1 206 266 1000")], id="us-plus-1"
    ),
    pytest.param(
        "Our line 2065550123.", [("phone.national", "2065550123")], id="us-unbroken-ten-digits"
    ),
    pytest.param("Call 416-555-0199 today", [("phone.national", "416-555-0199")], id="ca-dashes"),
    pytest.param(
        "Call +1 (416) 555-0199 today",
        [("phone.international", "+1 (416) 555-0199")],
        id="ca-plus-1",
    ),
    # -- fictitious 555 numbers are still dialable-looking
    pytest.param(
        "Call (555) 123-4567 today", [("phone.national", "(555) 123-4567")], id="fictitious-555"
    ),
    pytest.param(
        "Call 555.123.4567 today", [("phone.national", "555.123.4567")], id="fictitious-555-dots"
    ),
    # -- United Kingdom
    pytest.param("Ring 020 7946 0958 today", [("phone.national", "020 7946 0958")], id="uk-london"),
    pytest.param("Ring 07700 900123 today", [("phone.national", "07700 900123")], id="uk-mobile"),
    pytest.param(
        "Ring +44 20 7946 0958 today",
        [("phone.international", "+44 20 7946 0958")],
        id="uk-plus-44",
    ),
    pytest.param(
        "Ring +44 (0)20 7946 0958 today",
        [("phone.international", "+44 (0)20 7946 0958")],
        id="uk-trunk-zero-in-brackets",
    ),
    pytest.param(
        "Ring 0044 20 7946 0958 today",
        [("phone.international", "0044 20 7946 0958")],
        id="uk-00-prefix",
    ),
    pytest.param(
        "Ring 011 44 20 7946 0958 today",
        [("phone.international", "011 44 20 7946 0958")],
        id="uk-from-us-011-prefix",
    ),
    # -- Germany
    pytest.param("Anruf 030 12345678 bitte", [("phone.national", "030 12345678")], id="de-berlin"),
    pytest.param("Anruf 030/12345678 bitte", [("phone.national", "030/12345678")], id="de-slash"),
    pytest.param("Anruf 0171 1234567 bitte", [("phone.national", "0171 1234567")], id="de-mobile"),
    pytest.param(
        "Anruf +49 30 12345678 bitte", [("phone.international", "+49 30 12345678")], id="de-plus-49"
    ),
    pytest.param(
        "Anruf 0049 30 1234567 bitte",
        [("phone.international", "0049 30 1234567")],
        id="de-00-prefix",
    ),
    pytest.param(
        "Anruf +49 (0)30 12345678 bitte",
        [("phone.international", "+49 (0)30 12345678")],
        id="de-trunk-zero-in-brackets",
    ),
    # -- France
    pytest.param(
        "Appelez le 01 23 45 67 89", [("phone.national", "01 23 45 67 89")], id="fr-pairs"
    ),
    pytest.param(
        "Appelez le 06 12 34 56 78", [("phone.national", "06 12 34 56 78")], id="fr-mobile"
    ),
    pytest.param("Appelez le 01.23.45.67.89", [("phone.national", "01.23.45.67.89")], id="fr-dots"),
    pytest.param(
        "Appelez le +33 1 23 45 67 89",
        [("phone.international", "+33 1 23 45 67 89")],
        id="fr-plus-33",
    ),
    # -- Spain
    pytest.param("Llame al 912 345 678", [("phone.national", "912 345 678")], id="es-madrid"),
    pytest.param("Llame al 612 34 56 78", [("phone.national", "612 34 56 78")], id="es-mobile"),
    pytest.param(
        "Llame al +34 912 345 678", [("phone.international", "+34 912 345 678")], id="es-plus-34"
    ),
    # -- Italy
    pytest.param("Chiama lo 06 1234 5678", [("phone.national", "06 1234 5678")], id="it-rome"),
    pytest.param("Chiama lo 312 345 6789", [("phone.national", "312 345 6789")], id="it-mobile"),
    pytest.param(
        "Chiama lo +39 06 1234 5678", [("phone.international", "+39 06 1234 5678")], id="it-plus-39"
    ),
    # -- Netherlands
    pytest.param(
        "Bel 020 123 4567 a.u.b.", [("phone.national", "020 123 4567")], id="nl-amsterdam"
    ),
    pytest.param("Bel 06-12345678 a.u.b.", [("phone.national", "06-12345678")], id="nl-mobile"),
    pytest.param(
        "Bel +31 20 123 4567 a.u.b.", [("phone.international", "+31 20 123 4567")], id="nl-plus-31"
    ),
    pytest.param(
        "Bel +31 6 12345678 a.u.b.",
        [("phone.international", "+31 6 12345678")],
        id="nl-mobile-plus-31",
    ),
    # -- Australia
    pytest.param(
        "Ring (02) 9876 5432 today", [("phone.national", "(02) 9876 5432")], id="au-sydney"
    ),
    pytest.param("Ring 0412 345 678 today", [("phone.national", "0412 345 678")], id="au-mobile"),
    pytest.param(
        "Ring +61 2 9876 5432 today", [("phone.international", "+61 2 9876 5432")], id="au-plus-61"
    ),
    # -- India
    pytest.param(
        "Our line in India: 98765 43210", [("phone.national", "98765 43210")], id="in-mobile"
    ),
    pytest.param("Call 022 2345 6789 today", [("phone.national", "022 2345 6789")], id="in-mumbai"),
    pytest.param(
        "Call +91 98765 43210 today", [("phone.international", "+91 98765 43210")], id="in-plus-91"
    ),
    # -- Japan
    pytest.param("Call 03-1234-5678 today", [("phone.national", "03-1234-5678")], id="jp-tokyo"),
    pytest.param("Call 090-1234-5678 today", [("phone.national", "090-1234-5678")], id="jp-mobile"),
    pytest.param(
        "Call +81 3-1234-5678 today", [("phone.international", "+81 3-1234-5678")], id="jp-plus-81"
    ),
    # -- Mexico
    pytest.param("Llame al 55 1234 5678", [("phone.national", "55 1234 5678")], id="mx-cdmx"),
    pytest.param(
        "Llame al +52 55 1234 5678", [("phone.international", "+52 55 1234 5678")], id="mx-plus-52"
    ),
    pytest.param(
        "Llame al +52 1 55 1234 5678",
        [("phone.international", "+52 1 55 1234 5678")],
        id="mx-old-mobile-1",
    ),
    # -- Brazil
    pytest.param(
        "Ligue (11) 91234-5678 hoje", [("phone.national", "(11) 91234-5678")], id="br-mobile"
    ),
    pytest.param("Ligue (21) 2345-6789 hoje", [("phone.national", "(21) 2345-6789")], id="br-rio"),
    pytest.param(
        "Ligue +55 11 91234-5678 hoje",
        [("phone.international", "+55 11 91234-5678")],
        id="br-plus-55",
    ),
    # -- United Arab Emirates
    pytest.param("Call 04 123 4567 today", [("phone.national", "04 123 4567")], id="ae-dubai"),
    pytest.param("Call 050 123 4567 today", [("phone.national", "050 123 4567")], id="ae-mobile"),
    pytest.param(
        "Call +971 4 123 4567 today", [("phone.international", "+971 4 123 4567")], id="ae-plus-971"
    ),
    # -- extensions belong to the number
    pytest.param(
        "Call (555) 123-4567 ext. 12 today",
        [("phone.national", "(555) 123-4567 ext. 12")],
        id="extension-ext-dot",
    ),
    pytest.param(
        "Call 555-123-4567, ext. 12 today",
        [("phone.national", "555-123-4567, ext. 12")],
        id="extension-after-comma",
    ),
    pytest.param(
        "Call 555-123-4567 x456 today", [("phone.national", "555-123-4567 x456")], id="extension-x"
    ),
    pytest.param(
        "Call 555-123-4567 extension 3 today",
        [("phone.national", "555-123-4567 extension 3")],
        id="extension-word",
    ),
    pytest.param(
        "Call +1 206 266 1000 x 22 today",
        [("phone.international", "+1 206 266 1000 x 22")],
        id="extension-on-international",
    ),
    # -- a cue word makes an unformatted run a number
    pytest.param("call 2065550123 today", [("phone.cued", "2065550123")], id="cued-run"),
    pytest.param(
        "my number is 0044 07700 900873",
        [("phone.cued", "0044 07700 900873")],
        id="cued-00-with-trunk-zero",
    ),
    # -- digits spaced, dotted or dashed one by one
    pytest.param(
        "reach me on 5 5 5 1 2 3 4 5 6 7",
        [("phone.spaced_digits", "5 5 5 1 2 3 4 5 6 7")],
        id="spaced-digits",
    ),
    pytest.param(
        "reach me on 5.5.5.1.2.3.4.5.6.7 later",
        [("phone.spaced_digits", "5.5.5.1.2.3.4.5.6.7")],
        id="dotted-digits",
    ),
    pytest.param(
        "reach me on 5-5-5-1-2-3-4-5-6-7 later",
        [("phone.spaced_digits", "5-5-5-1-2-3-4-5-6-7")],
        id="dashed-digits",
    ),
    # -- zero-width characters between the digits
    pytest.param(
        f"Call 555{ZWSP}123{ZWSP}4567 today",
        [("phone.hidden_split", f"555{ZWSP}123{ZWSP}4567")],
        id="zero-width-between-groups",
    ),
    pytest.param(
        f"Call 5{ZWSP}5{ZWSP}5-1{ZWSP}2{ZWSP}3-4567 today",
        [("phone.national", f"5{ZWSP}5{ZWSP}5-1{ZWSP}2{ZWSP}3-4567")],
        id="zero-width-inside-dashed-groups",
    ),
    pytest.param(
        "Call 555\u2060123\ufeff4567 today",
        [("phone.hidden_split", "555\u2060123\ufeff4567")],
        id="word-joiner-and-bom-between-groups",
    ),
    # -- other digits
    pytest.param(
        f"Call {fullwidth('555-123-4567')} today",
        [("phone.national", fullwidth("555-123-4567"))],
        id="fullwidth-digits",
    ),
    pytest.param(
        f"Call {fullwidth('+44 20 7946 0958')} today",
        [("phone.international", fullwidth("+44 20 7946 0958"))],
        id="fullwidth-plus-and-digits",
    ),
    pytest.param(
        f"Call {digits_in('555-123-4567', chr(0x0660))} today",
        [("phone.national", digits_in("555-123-4567", chr(0x0660)))],
        id="arabic-indic-digits",
    ),
    pytest.param(
        f"Call {digits_in('555-123-4567', chr(0x06F0))} today",
        [("phone.national", digits_in("555-123-4567", chr(0x06F0)))],
        id="extended-arabic-indic-digits",
    ),
    pytest.param(
        f"Call {digits_in('555-123-4567', chr(0x0966))} today",
        [("phone.national", digits_in("555-123-4567", chr(0x0966)))],
        id="devanagari-digits",
    ),
    pytest.param(
        "Call 555\u2013123\u20134567 today",
        [("phone.national", "555\u2013123\u20134567")],
        id="en-dashes",
    ),
    pytest.param(
        "Call 555\u00a0123\u00a04567 today",
        [("phone.national", "555\u00a0123\u00a04567")],
        id="no-break-spaces",
    ),
    # -- the letter O for zero
    pytest.param(
        "Call 2O6-266-1OOO today", [("phone.letter_o", "2O6-266-1OOO")], id="letter-o-capital"
    ),
    pytest.param(
        "Call (2o6) 555-O123 today", [("phone.letter_o", "(2o6) 555-O123")], id="letter-o-mixed"
    ),
    # -- tel: in plain text
    pytest.param(
        "Tap tel:+15551234567 now", [("phone.international", "+15551234567")], id="tel-uri"
    ),
    # -- two numbers, two findings
    pytest.param(
        "Tel 555-123-4567 555-987-6543",
        [("phone.national", "555-123-4567"), ("phone.national", "555-987-6543")],
        id="two-numbers-side-by-side",
    ),
    pytest.param(
        "Call 555 123 4567 or 555 987 6543",
        [("phone.national", "555 123 4567"), ("phone.national", "555 987 6543")],
        id="two-numbers-with-or",
    ),
    # -- a look-alike of Amazon's number is not Amazon's
    pytest.param(
        "Call Amazon on 1-888-280-4332",
        [("phone.national", "1-888-280-4332")],
        id="amazon-lookalike",
    ),
    # -- regressions
    pytest.param(
        "Please quote the case ID.\n(555) 123-4567",
        [("phone.national", "(555) 123-4567")],
        id="lookalike-word-in-previous-sentence"),
    pytest.param(
        "A higher rating would mean a lot to us.\n\n020 7946 0958",
        [("phone.national", "020 7946 0958")],
        id="lot-as-in-a-lot-before-a-line-break"),
    pytest.param(
        "Call 555-010-1234 or 555-0-1-0-5-6-7-8, either line works.",
        [("phone.national", "555-010-1234"), ("phone.spaced_digits", "555-0-1-0-5-6-7-8")],
        id="second-number-dashed-digit-by-digit"),
    # leaves alone
    # -- Amazon identifiers
    pytest.param("Your order 112-1234567-1234567 shipped", [], id="order-id"),
    pytest.param("Order #302-5518893-2210476 shipped", [], id="order-id-hash"),
    pytest.param("Orders 112-1234567-1234567, 113-7654321-7654321 shipped", [], id="two-order-ids"),
    pytest.param("ASIN B08N5WRWNW is back in stock", [], id="asin"),
    pytest.param("Amazon case ID 1234567890 is closed", [], id="case-id"),
    pytest.param("I opened case 7283946510 for you", [], id="case-id-nanp-shaped"),
    pytest.param("Gift card claim code 1234-567890-1234", [], id="gift-card-digits"),
    pytest.param("Gift card AQ7X-4PLM2-ZR9K applied", [], id="gift-card-code"),
    # -- book and product codes
    pytest.param("ISBN 978-3-16-148410-0 in stock", [], id="isbn-13-dashed"),
    pytest.param("The book 9783161484100 is great", [], id="isbn-13-bare"),
    pytest.param("ISBN 0-306-40615-2 in stock", [], id="isbn-10-dashed"),
    pytest.param("ISBN-10 0306406152 in stock", [], id="isbn-10-bare"),
    pytest.param("UPC 036000291452 on the box", [], id="upc"),
    pytest.param("It is on its way: 036000291452.", [], id="upc-no-cue"),
    pytest.param("EAN 4006381333931 on the box", [], id="ean"),
    # -- carrier tracking numbers
    pytest.param("UPS tracking 1Z999AA10123456784 today", [], id="ups-1z"),
    pytest.param("tracking 1Z 999 AA1 01 2345 6784 today", [], id="ups-1z-spaced"),
    pytest.param("USPS 9400111899223197428490 today", [], id="usps-22-digits"),
    pytest.param("USPS 92055901755477000000 today", [], id="usps-20-digits"),
    pytest.param("USPS 9400 1118 9922 3197 4284 90 today", [], id="usps-spaced"),
    pytest.param("It is on its way: 9400111899223197428490.", [], id="usps-no-cue"),
    pytest.param("FedEx 123456789012 today", [], id="fedex-12-digits"),
    pytest.param("FedEx 449044304137821 today", [], id="fedex-15-digits"),
    pytest.param("It is on its way: 449044304137821.", [], id="fedex-no-cue"),
    pytest.param("Your shipment TBA304958172000 is on the way", [], id="amazon-tba"),
    # -- money, dates, times
    pytest.param("The price is $1,299.99 today", [], id="price-dollars"),
    pytest.param("Der Preis ist €1.299,99 heute", [], id="price-euro"),
    pytest.param("Prix 1 299,00 € aujourd'hui", [], id="price-spaced-thousands"),
    pytest.param("It arrives on 2026-03-15", [], id="date-iso"),
    pytest.param("It arrives on 15.03.2026", [], id="date-dotted"),
    pytest.param("It arrives on 03/15/2026", [], id="date-us"),
    pytest.param("It arrives 20260315", [], id="date-compact"),
    pytest.param("We got it at 11:58 pm", [], id="time"),
    pytest.param("Open 9:00-17:00 daily", [], id="opening-hours"),
    pytest.param("from 1979-2011", [], id="year-range"),
    # -- versions, models, parts, measurements, ranges
    pytest.param("firmware version 1.2.3.4 fixes it", [], id="version-dotted-quad"),
    pytest.param("version 2.10.3.1 fixes it", [], id="version-ip-shaped"),
    pytest.param("model XJ-2000-B works", [], id="model-number"),
    pytest.param("Model 2065550123 is the new one", [], id="model-number-nanp-shaped"),
    pytest.param("part number 4412-557-0098 fits", [], id="part-number"),
    pytest.param("SKU 12-3456-7890 fits", [], id="sku"),
    pytest.param("serial number SN-20260315-0042", [], id="serial-number"),
    pytest.param("it measures 120 x 60 x 45 cm", [], id="measurements"),
    pytest.param("resolution 1920x1080 at 60Hz", [], id="resolution"),
    pytest.param("within 3-5 business days", [], id="range-days"),
    pytest.param("input 100-240V 50/60Hz", [], id="range-volts"),
    pytest.param("Voltage 110-120V / 220-240V", [], id="two-voltage-ranges"),
    pytest.param("We have 1234567 units in stock", [], id="plain-count"),
    pytest.param("SSN-shaped 911-67-0060 here", [], id="ssn-shaped"),
    # -- Amazon's customer-service number, in any format
    pytest.param("Amazon: 1-888-280-4331", [], id="amazon-cs-dashes"),
    pytest.param("Amazon: +1 (888) 280-4331", [], id="amazon-cs-plus-1"),
    pytest.param("Amazon: 888.280.4331", [], id="amazon-cs-dots"),
    pytest.param("Amazon: 1 888 280 4331", [], id="amazon-cs-spaces"),
    pytest.param("Amazon: 18882804331", [], id="amazon-cs-unbroken"),
    pytest.param("Amazon: 001 888 280 4331", [], id="amazon-cs-00-prefix"),
    pytest.param("Amazon: 1 8 8 8 2 8 0 4 3 3 1", [], id="amazon-cs-spaced-digits"),
    pytest.param("Amazon: 1-888-28O-4331", [], id="amazon-cs-letter-o"),
    pytest.param(f"Amazon: {fullwidth('888-280-4331')}", [], id="amazon-cs-fullwidth"),
    pytest.param(f"Amazon: 888{ZWSP}280{ZWSP}4331", [], id="amazon-cs-zero-width"),
    pytest.param(
        "Amazon: 1-888-280-4331 ext. 2",
        [],
        id="amazon-cs-with-extension"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_phone_numbers(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected)


HTML_CASES = [
    # catches
    pytest.param(
        "<p>Call 555-<b>123</b>-4567 today</p>",
        [("phone.national", "555-<b>123</b>-4567")],
        id="groups-split-by-bold",
    ),
    pytest.param(
        "<p>Call <span>555</span><span>123</span><span>4567</span> today</p>",
        [("phone.hidden_split", "555</span><span>123</span><span>4567")],
        id="digits-run-together-from-spans",
    ),
    pytest.param(
        "<p>Call 5<!-- -->55-123-4567 today</p>",
        [("phone.national", "5<!-- -->55-123-4567")],
        id="split-by-comment",
    ),
    pytest.param(
        "<p>Call 555&nbsp;123&nbsp;4567 today</p>",
        [("phone.national", "555&nbsp;123&nbsp;4567")],
        id="nbsp-entities",
    ),
    pytest.param(
        "<p>Call &#53;&#53;&#53;-123-4567 today</p>",
        [("phone.national", "&#53;&#53;&#53;-123-4567")],
        id="digits-as-entities",
    ),
    pytest.param(
        "<p>Call <span>\uff15\uff15\uff15</span>-123-4567 today</p>",
        [("phone.national", "\uff15\uff15\uff15</span>-123-4567")],
        id="fullwidth-in-a-span",
    ),
    pytest.param(
        "<p>Call</p><p>555-123-4567</p>",
        [("phone.national", "555-123-4567")],
        id="own-paragraph",
    ),
    pytest.param(
        '<p><a href="tel:+15551234567">Call us</a></p>',
        [("phone.html_attribute", "+15551234567")],
        id="tel-link",
    ),
    pytest.param(
        '<p><a href="sms:+15551234567">Text us</a></p>',
        [("phone.html_attribute", "+15551234567")],
        id="sms-link",
    ),
    pytest.param(
        '<p><img alt="call 555-123-4567" src="https://www.amazon.com/logo.png"></p>',
        [("phone.html_attribute", "555-123-4567")],
        id="alt-text",
    ),
    # leaves alone
    pytest.param(
        "<p>Order 112-<b>1234567</b>-1234567 shipped</p>", [], id="order-id-split-by-bold"
    ),
    pytest.param("<p>Refund of <b>$19.99</b> on 2026-03-15</p>", [], id="price-and-date"),
    pytest.param(
        '<p><a href="tel:+18882804331">1-888-280-4331</a></p>', [], id="amazon-cs-tel-link"
    ),
    pytest.param("<p>Amazon: 888-<b>280</b>-4331</p>", [], id="amazon-cs-split-by-bold"),
]


@pytest.mark.parametrize(("text", "expected"), HTML_CASES)
def test_phone_numbers_in_html(expect_findings: ExpectFindings, text: str, expected: list) -> None:
    expect_findings(text, expected, html=True)


ALLOWED_NUMBER_CASES = [
    # catches
    pytest.param(
        ("+44 20 7946 0958",),
        "Amazon: 1-888-280-4331",
        [("phone.national", "1-888-280-4331")],
        id="configured-list-replaces-the-default",
    ),
    pytest.param(
        (),
        "Amazon: 1-888-280-4331",
        [("phone.national", "1-888-280-4331")],
        id="empty-list-allows-nothing",
    ),
    pytest.param(
        ("555-123-4567",),
        "Call 555-123-4568",
        [("phone.national", "555-123-4568")],
        id="one-digit-off",
    ),
    # leaves alone
    pytest.param(("555-123-4567",), "Call 555-123-4567", [], id="configured-us-number"),
    pytest.param(("555-123-4567",), "Call +1 555 123 4567", [], id="configured-us-number-plus-1"),
    pytest.param(("+44 20 7946 0958",), "Ring +44 20 7946 0958", [], id="configured-uk-number"),
    pytest.param(
        ("+44 20 7946 0958",), "Ring 0044 20 7946 0958", [], id="configured-uk-number-00-prefix"
    ),
    pytest.param(
        ("+44 20 7946 0958",),
        "Ring 020 7946 0958 (from the UK)",
        [],
        id="configured-uk-number-national-form"),
]


@pytest.mark.parametrize(("allowed", "text", "expected"), ALLOWED_NUMBER_CASES)
def test_allowed_phone_numbers_option(
    expect_findings: ExpectFindings, allowed: tuple[str, ...], text: str, expected: list
) -> None:
    options = CheckOptions(allowed_phone_numbers=allowed)
    expect_findings(text, expected, options=options)


def test_amazon_us_number_is_allowed_by_default() -> None:
    assert "+1-888-280-4331" in CheckOptions().allowed_phone_numbers
    assert not check("Please call Amazon at 1-888-280-4331.").blocked


def test_amazon_number_beside_another_number_still_blocks_the_other() -> None:
    text = "Call Amazon at 1-888-280-4331 or us at 555-123-4567."
    report = check(text)
    assert [(f.rule, f.text) for f in report.findings] == [("phone.national", "555-123-4567")]
