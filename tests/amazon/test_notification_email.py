"""Amazon notification emails: every field of every fixture, and properties of the parser.

The fixtures are written from the documented formats (tests/fixtures/README.md says which);
the expected values below were read off the fixture files, not off the parser.
"""

# ruff: noqa: E501  (expected subjects, links and texts are quoted whole, as in the fixtures)

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpscout_app.amazon.errors import UnparseableNotification
from helpscout_app.amazon.notification_email import (
    ORDER_ID,
    NotificationKind,
    html_to_text,
    parse_notification,
)

NOTIFICATIONS = "amazon/notifications/"
NOTIFICATIONS_DIR = Path(__file__).parents[1] / "fixtures" / NOTIFICATIONS

EXPECTED: list[Any] = [
    pytest.param(
        "a-to-z-claim.en-us.eml",
        dict(
            kind=NotificationKind.A_TO_Z_CLAIM,
            message_id="<0100018dbd5e6f7a-8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e-000000@amazon.com>",
            subject="A-to-z Guarantee claim filed for order 111-8023364-5590712",
            received_at=datetime(2026, 11, 30, 16, 40, 3, tzinfo=UTC),
            order_ids=("111-8023364-5590712",),
            relay_address=None,
            relay_base_address=None,
            buyer_name=None,
            marketplace=None,
            asins=(),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text=None,
            notification_type=None,
        ),
        id="a-to-z-claim.en-us",
    ),
    pytest.param(
        "buyer-message.de-de.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0102018da1f0c2d3-2b1e3f4a-5c6d-4e7f-8a9b-0c1d2e3f4a5b-000000@amazon.de>",
            subject="Frage von Amazon-Kunde Lukas (Bestellung: 302-7715309-4418826)",
            received_at=datetime(2026, 11, 25, 8, 41, 5, tzinfo=UTC),
            order_ids=("302-7715309-4418826",),
            relay_address="m1z9b3mk8gb1c26@marketplace.amazon.de",
            relay_base_address="m1z9b3mk8gb1c26@marketplace.amazon.de",
            buyer_name="Lukas",
            marketplace="A1PA6795UKMFR9",
            asins=("B0D3LQ8RXN",),
            comm_mgr_token=None,
            no_response_needed_url="https://sellercentral.amazon.de/messaging/no-response-needed?cc=5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d&ref=bsm_email_nrn",
            case_id="5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
            buyer_text="Guten Tag, die Stöcke sind leider verbogen angekommen. Ich hätte gerne Ersatz.",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.de-de",
    ),
    pytest.param(
        "buyer-message.en-gb.enquiry.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0102018d98c4d5e6-8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d-000000@amazon.co.uk>",
            subject="Return policy enquiry from Amazon customer Oliver (Order: 202-8834561-1179024)",
            received_at=datetime(2026, 11, 23, 21, 12, 27, tzinfo=UTC),
            order_ids=("202-8834561-1179024",),
            relay_address="q2w4e6r8t0y1u3i@marketplace.amazon.co.uk",
            relay_base_address="q2w4e6r8t0y1u3i@marketplace.amazon.co.uk",
            buyer_name="Oliver",
            marketplace="A1F83G8C2ARO7P",
            asins=("B0CZ9P3L7M",),
            comm_mgr_token=None,
            no_response_needed_url="https://sellercentral.amazon.co.uk/messaging/no-response-needed?cc=6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f&ref=bsm_email_nrn",
            case_id="6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
            buyer_text="Hello, the jacket is too small. Can I exchange it for an XL, and do I need\nto send this one back first?",
            notification_type=None,
        ),
        id="buyer-message.en-gb.enquiry",
    ),
    pytest.param(
        "buyer-message.en-us.2016.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<1301712385.4418290.1471719753321.JavaMail.cmuser@amazon.com>",
            subject="Ship faster inquiry from Amazon customer Morgan (Order: 114-3941187-0627455)",
            received_at=datetime(2016, 8, 20, 19, 2, 33, tzinfo=UTC),
            order_ids=("114-3941187-0627455",),
            relay_address="th6wqr1vf6dr43f@marketplace.amazon.com",
            relay_base_address="th6wqr1vf6dr43f@marketplace.amazon.com",
            buyer_name="Morgan",
            marketplace="ATVPDKIKX0DER",
            asins=("B01FCAWEYM",),
            comm_mgr_token="A3QW7PZ1N0XK5M",
            no_response_needed_url="https://sellercentral.amazon.com/gp/communication-manager/no-response-needed.html?msg=A3QW7PZ1N0XK5M",
            case_id=None,
            buyer_text="Can you ship this by 2-day? I need it before the 26th for a trip.\nThanks, Morgan",
            notification_type=None,
        ),
        id="buyer-message.en-us.2016",
    ),
    pytest.param(
        "buyer-message.en-us.broken-subject.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0100018db1c2d3e4-f5a6b7c8-d9e0-4f1a-b2c3-d4e5f6a7b8c9-000000@amazon.com>",
            subject="Inquiry from Amazon customer Acme Outdoor Gear",
            received_at=datetime(2026, 11, 28, 12, 0, 5, tzinfo=UTC),
            order_ids=("114-5507731-2264980",),
            relay_address="l5k4j3h2g1f0d9s@marketplace.amazon.com",
            relay_base_address="l5k4j3h2g1f0d9s@marketplace.amazon.com",
            buyer_name="Taylor",
            marketplace="ATVPDKIKX0DER",
            asins=("B0BX7Y6Z5W",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="I ordered two packs but only one arrived.",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.en-us.broken-subject",
    ),
    pytest.param(
        "buyer-message.en-us.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0100018d9c2e41aa-5f2c7e1b-2d3a-4b8c-9e1f-0a2b3c4d5e6f-000000@amazon.com>",
            subject="Product details inquiry from Amazon customer Jordan (Order: 113-4829174-5521938)",
            received_at=datetime(2026, 11, 24, 14, 3, 11, tzinfo=UTC),
            order_ids=("113-4829174-5521938",),
            relay_address="k7m2q9x4b1c8d3f@marketplace.amazon.com",
            relay_base_address="k7m2q9x4b1c8d3f@marketplace.amazon.com",
            buyer_name="Jordan",
            marketplace="ATVPDKIKX0DER",
            asins=("B0C7XK2M4Q",),
            comm_mgr_token=None,
            no_response_needed_url="https://sellercentral.amazon.com/messaging/no-response-needed?cc=8f14e45f-ceea-4e7a-9b1c-2d3e4f5a6b7c&ref=bsm_email_nrn",
            case_id="8f14e45f-ceea-4e7a-9b1c-2d3e4f5a6b7c",
            buyer_text="Hi, does the tent come with the rain fly and the footprint, or is the\nfootprint sold separately? We leave on Friday.",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.en-us",
    ),
    pytest.param(
        "buyer-message.en-us.html-only.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0100018daa1b2c3d-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8-000000@amazon.com>",
            subject="Order delivery inquiry from Amazon customer (Order: 112-0458823-7716349)",
            received_at=datetime(2026, 11, 27, 3, 48, 15, tzinfo=UTC),
            order_ids=("112-0458823-7716349",),
            relay_address="w9e8r7t6y5u4i3o@marketplace.amazon.com",
            relay_base_address="w9e8r7t6y5u4i3o@marketplace.amazon.com",
            buyer_name="Avery",
            marketplace="ATVPDKIKX0DER",
            asins=("B0B2R5S8TK",),
            comm_mgr_token=None,
            no_response_needed_url="https://sellercentral.amazon.com/messaging/no-response-needed?cc=1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e&ref=bsm_email_nrn",
            case_id="1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
            buyer_text="The package says delivered but it's not here & my neighbours haven't seen it.\n\nPhoto of the porch attached.",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.en-us.html-only",
    ),
    pytest.param(
        "buyer-message.en-us.relay-case-suffix.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0100018db3f4a5b6-c7d8e9f0-a1b2-4c3d-8e4f-5a6b7c8d9e0f-000000@amazon.com>",
            subject="Inquiry from Amazon customer Sam (Order: 113-9920184-3357126)",
            received_at=datetime(2026, 11, 28, 18, 25, 47, tzinfo=UTC),
            order_ids=("113-9920184-3357126",),
            relay_address="p4x8n2c6v1m9k3r+9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f@marketplace.amazon.com",
            relay_base_address="p4x8n2c6v1m9k3r@marketplace.amazon.com",
            buyer_name="Sam",
            marketplace="ATVPDKIKX0DER",
            asins=("B0CK3J4H5G",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id="9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
            buyer_text="Following up on my earlier message: the filter leaks at the cap.",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.en-us.relay-case-suffix",
    ),
    pytest.param(
        "buyer-message.en-us.subject-rfc2047-b.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0100018dac9e8f7a-6b5c4d3e-2f1a-4b0c-9d8e-7f6a5b4c3d2e-000000@amazon.com>",
            subject="Inquiry from Amazon customer Zoë (Order: 113-6604132-9081753)",
            received_at=datetime(2026, 11, 27, 15, 0, 0, tzinfo=UTC),
            order_ids=("113-6604132-9081753",),
            relay_address="a1s2d3f4g5h6j7k@marketplace.amazon.com",
            relay_base_address="a1s2d3f4g5h6j7k@marketplace.amazon.com",
            buyer_name="Zoë",
            marketplace="ATVPDKIKX0DER",
            asins=("B0C1V2B3N4",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="What is the weight limit of the chair?",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.en-us.subject-rfc2047-b",
    ),
    pytest.param(
        "buyer-message.en-us.subject-rfc2047-q.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0100018dace2a3b4-c5d6e7f8-a9b0-4c1d-8e2f-3a4b5c6d7e8f-000000@amazon.ca>",
            subject="Order delivery inquiry from Amazon customer Renée (Order: 111-2093847-6612095)",
            received_at=datetime(2026, 11, 27, 16, 10, 37, tzinfo=UTC),
            order_ids=("111-2093847-6612095",),
            relay_address="z0x9c8v7b6n5m4l@marketplace.amazon.ca",
            relay_base_address="z0x9c8v7b6n5m4l@marketplace.amazon.ca",
            buyer_name="Renée",
            marketplace="A2EUQ1WTGCTBG2",
            asins=("B0D3LQ8RXN",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="Tracking hasn't moved in five days. Is it lost?",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.en-us.subject-rfc2047-q",
    ),
    pytest.param(
        "buyer-message.es-es.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0102018da3960f21-4e5d6c7b-8a9f-4e0d-b1c2-d3e4f5a6b7c8-000000@amazon.es>",
            subject="Consulta del cliente de Amazon Lucía (Pedido: 171-5540932-2280417)",
            received_at=datetime(2026, 11, 25, 16, 19, 58, tzinfo=UTC),
            order_ids=("171-5540932-2280417",),
            relay_address="bm11jdhs75yyts4@marketplace.amazon.es",
            relay_base_address="bm11jdhs75yyts4@marketplace.amazon.es",
            buyer_name="Lucía",
            marketplace="A1RKKUPIHCS9HS",
            asins=("B0B8NZ5K1D",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="Hola, ¿la linterna incluye el cable USB-C? Gracias.",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.es-es",
    ),
    pytest.param(
        "buyer-message.fr-fr.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0102018da24a7e11-9c8d7e6f-5a4b-4c3d-2e1f-0a9b8c7d6e5f-000000@amazon.fr>",
            subject="Demande de renseignements de la part du client Amazon Camille (Commande : 405-2287461-9930128)",
            received_at=datetime(2026, 11, 25, 10, 15, 19, tzinfo=UTC),
            order_ids=("405-2287461-9930128",),
            relay_address="knsrqr1h8bkp9yh@marketplace.amazon.fr",
            relay_base_address="knsrqr1h8bkp9yh@marketplace.amazon.fr",
            buyer_name="Camille",
            marketplace="A13V1IB3VIYZZH",
            asins=("B0CQ2WJ7HT",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="Bonjour, le sac est-il livré avec un sac de compression ? Merci d'avance.",
            notification_type=None,
        ),
        id="buyer-message.fr-fr",
    ),
    pytest.param(
        "buyer-message.it-it.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0102018da6b3c4d5-7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918-000000@amazon.it>",
            subject="Richiesta di informazioni dal cliente Amazon Giulia (Ordine: 403-6619025-7784310)",
            received_at=datetime(2026, 11, 26, 7, 5, 40, tzinfo=UTC),
            order_ids=("403-6619025-7784310",),
            relay_address="r8t3w6y1u4i7o2p@marketplace.amazon.it",
            relay_base_address="r8t3w6y1u4i7o2p@marketplace.amazon.it",
            buyer_name="Giulia",
            marketplace="APJ6JRA9NG5V4",
            asins=("B09XK4M2PL",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="Buongiorno, la borraccia è adatta anche alle bevande gassate?",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.it-it",
    ),
    pytest.param(
        "buyer-message.ja-jp.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0106018d9a0b1c2d-3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7-000000@amazon.co.jp>",
            subject="商品の詳細に関するお問い合わせ (注文: 503-8816240-3321907)",
            received_at=datetime(2026, 11, 24, 0, 41, 50, tzinfo=UTC),
            order_ids=("503-8816240-3321907",),
            relay_address="sz2y5ywh1qg1vhx@marketplace.amazon.co.jp",
            relay_base_address="sz2y5ywh1qg1vhx@marketplace.amazon.co.jp",
            buyer_name="健太",
            marketplace="A1VC38T7YXB528",
            asins=("B0BJ4TQ7WZ",),
            comm_mgr_token=None,
            no_response_needed_url="https://sellercentral.amazon.co.jp/messaging/no-response-needed?cc=3d5e7f90-1a2b-4c3d-9e8f-7a6b5c4d3e2f&ref=bsm_email_nrn",
            case_id="3d5e7f90-1a2b-4c3d-9e8f-7a6b5c4d3e2f",
            buyer_text="テントの重さは何キロですか？\n雨の日でも使えますか？",
            notification_type=None,
        ),
        id="buyer-message.ja-jp",
    ),
    pytest.param(
        "buyer-message.pt-br.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0103018da7e1a2b3-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f-000000@amazon.com.br>",
            subject="Pergunta do cliente da Amazon João (Pedido: 701-3318842-0945563)",
            received_at=datetime(2026, 11, 26, 13, 30, 8, tzinfo=UTC),
            order_ids=("701-3318842-0945563",),
            relay_address="5ftnkh20g3v7q1x@marketplace.amazon.com.br",
            relay_base_address="5ftnkh20g3v7q1x@marketplace.amazon.com.br",
            buyer_name="João",
            marketplace="A2Q3Y263D00KWC",
            asins=("B0CM7T3VQY",),
            comm_mgr_token=None,
            no_response_needed_url="https://sellercentral.amazon.com.br/messaging/no-response-needed?cc=0e1d2c3b-4a59-4867-9f8e-7d6c5b4a3928&ref=bsm_email_nrn",
            case_id="0e1d2c3b-4a59-4867-9f8e-7d6c5b4a3928",
            buyer_text="Olá, o fogareiro acompanha o cartucho de gás? Obrigado.",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="buyer-message.pt-br",
    ),
    pytest.param(
        "cancellation-request.en-us.eml",
        dict(
            kind=NotificationKind.CANCELLATION_REQUEST,
            message_id="<0100018dbf7c8d9e-0f1a2b3c-4d5e-4f6a-8b7c-9d0e1f2a3b4c-000000@amazon.com>",
            subject="Order cancellation request for Order ID: 114-1187702-6653381",
            received_at=datetime(2026, 12, 1, 2, 5, 51, tzinfo=UTC),
            order_ids=("114-1187702-6653381",),
            relay_address=None,
            relay_base_address=None,
            buyer_name=None,
            marketplace="ATVPDKIKX0DER",
            asins=("B01FCAWEYM",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text=None,
            notification_type="BRC_SELLER_NOTIFICATION",
        ),
        id="cancellation-request.en-us",
    ),
    pytest.param(
        "delivery-failure.en-us.opt-out.eml",
        dict(
            kind=NotificationKind.DELIVERY_FAILURE,
            message_id="<0100018da1a2b3c4-d5e6f7a8-b9c0-4d1e-a2f3-b4c5d6e7f8a9-000000@amazon.com>",
            subject="Your message could not be sent (Order: 114-5507731-2264980)",
            received_at=datetime(2026, 11, 25, 10, 0, 9, tzinfo=UTC),
            order_ids=("114-5507731-2264980",),
            relay_address=None,
            relay_base_address=None,
            buyer_name=None,
            marketplace="ATVPDKIKX0DER",
            asins=(),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text=None,
            notification_type=None,
        ),
        id="delivery-failure.en-us.opt-out",
    ),
    pytest.param(
        "pre-sale-question.en-us.eml",
        dict(
            kind=NotificationKind.BUYER_MESSAGE,
            message_id="<0100018da8e9f0a1-b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e-000000@amazon.com>",
            subject="Product details inquiry from Amazon customer Riley",
            received_at=datetime(2026, 11, 26, 19, 33, 25, tzinfo=UTC),
            order_ids=(),
            relay_address="c3v5b7n9m1q2w4e@marketplace.amazon.com",
            relay_base_address="c3v5b7n9m1q2w4e@marketplace.amazon.com",
            buyer_name="Riley",
            marketplace="ATVPDKIKX0DER",
            asins=("B0C7XK2M4Q",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="Before I buy: is the tent free-standing? How tall is it inside?",
            notification_type="BBC_MESSAGE_SENT_TO_MERCHANT",
        ),
        id="pre-sale-question.en-us",
    ),
    pytest.param(
        "refund-issued.en-us.eml",
        dict(
            kind=NotificationKind.REFUND_ISSUED,
            message_id="<0100018db80c1d2e-3f4a5b6c-7d8e-4f9a-b0c1-d2e3f4a5b6c7-000000@amazon.com>",
            subject="Refund initiated for order 112-6650913-4408127",
            received_at=datetime(2026, 11, 29, 11, 2, 15, tzinfo=UTC),
            order_ids=("112-6650913-4408127",),
            relay_address=None,
            relay_base_address=None,
            buyer_name=None,
            marketplace="ATVPDKIKX0DER",
            asins=("B0B8NZ5K1D",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text=None,
            notification_type="REFUND_ISSUED",
        ),
        id="refund-issued.en-us",
    ),
    pytest.param(
        "return-request.en-us.eml",
        dict(
            kind=NotificationKind.RETURN_REQUEST,
            message_id="<0100018db7a1b2c3-d4e5f6a7-b8c9-4d0e-a1f2-b3c4d5e6f7a8-000000@amazon.com>",
            subject="Return authorization request for order 112-6650913-4408127",
            received_at=datetime(2026, 11, 29, 9, 14, 30, tzinfo=UTC),
            order_ids=("112-6650913-4408127",),
            relay_address=None,
            relay_base_address=None,
            buyer_name=None,
            marketplace="ATVPDKIKX0DER",
            asins=("B0B8NZ5K1D",),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text=None,
            notification_type="RETURN_REQUEST",
        ),
        id="return-request.en-us",
    ),
    pytest.param(
        "seller-reply-copy.en-us.eml",
        dict(
            kind=NotificationKind.SELLER_REPLY_COPY,
            message_id="<0100018d9c7a8b9c-0d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a-000000@amazon.com>",
            subject='Your email to "Jordan"',
            received_at=datetime(2026, 11, 24, 15, 20, 40, tzinfo=UTC),
            order_ids=("113-4829174-5521938",),
            relay_address=None,
            relay_base_address=None,
            buyer_name="Jordan",
            marketplace="ATVPDKIKX0DER",
            asins=(),
            comm_mgr_token=None,
            no_response_needed_url=None,
            case_id=None,
            buyer_text="Hi Jordan,\nthe tent comes with the rain fly; the footprint is sold separately.\nBest regards,\nAcme Outdoor Gear",
            notification_type="BBC_MESSAGE_CONFIRMATION_TO_MERCHANT",
        ),
        id="seller-reply-copy.en-us",
    ),
]


@pytest.mark.parametrize(("fixture_name", "expected"), EXPECTED)
def test_fixture_fields(load_fixture, fixture_name: str, expected: dict[str, Any]) -> None:
    notification = parse_notification(load_fixture(NOTIFICATIONS + fixture_name))
    actual = dict(vars(notification))
    marketplace = actual.pop("marketplace")
    actual["marketplace"] = marketplace.marketplace_id if marketplace else None
    assert actual == expected


def test_every_fixture_is_in_the_table() -> None:
    on_disk = {path.name for path in NOTIFICATIONS_DIR.glob("*.eml")}
    assert on_disk == {param.values[0] for param in EXPECTED} | {"truncated.eml"}


def test_truncated_message_is_unparseable_with_a_reason(load_fixture) -> None:
    raw = load_fixture(NOTIFICATIONS + "truncated.eml")
    with pytest.raises(UnparseableNotification) as caught:
        parse_notification(raw)
    assert caught.value.reason == (
        "no From or Subject header: not an email, or cut off in its headers"
    )
    # No Message-ID to read: one derived from the bytes, the same on every try.
    assert caught.value.message_id.startswith("<sha256-")
    assert caught.value.message_id.endswith("@amz-guard.invalid>")
    with pytest.raises(UnparseableNotification) as again:
        parse_notification(raw)
    assert again.value.message_id == caught.value.message_id


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n"])
def test_empty_message_is_unparseable(raw: bytes) -> None:
    with pytest.raises(UnparseableNotification, match="empty message"):
        parse_notification(raw)


def test_unparseable_keeps_a_readable_message_id() -> None:
    with pytest.raises(UnparseableNotification) as caught:
        parse_notification(b"Message-ID: <abc@amazon.com>\n\nno sender, no subject\n")
    assert caught.value.message_id == "<abc@amazon.com>"


def test_rejects_text_instead_of_bytes() -> None:
    with pytest.raises(TypeError, match="takes bytes"):
        parse_notification("From: a@b.example")  # type: ignore[arg-type]


def _email(*headers: str, body: str = "Hello\n") -> bytes:
    return ("\n".join(headers) + "\n\n" + body).encode()


RELAY = "k7m2q9x4b1c8d3f@marketplace.amazon.de"


def test_header_kind_wins_over_subject() -> None:
    raw = _email(
        f"From: {RELAY}",
        "Subject: Inquiry from Amazon customer Jo (Order: 302-7715309-4418826)",
        "X-Space-Notification-Type: RETURN_REQUEST",
    )
    assert parse_notification(raw).kind is NotificationKind.RETURN_REQUEST


def test_unknown_notification_type_falls_back_to_subject() -> None:
    raw = _email(
        f"From: {RELAY}",
        "Subject: Inquiry from Amazon customer Jo (Order: 302-7715309-4418826)",
        "X-Space-Notification-Type: SOMETHING_NEW",
    )
    notification = parse_notification(raw)
    assert notification.kind is NotificationKind.BUYER_MESSAGE
    assert notification.notification_type == "SOMETHING_NEW"


def test_body_fingerprint_when_subject_says_nothing() -> None:
    raw = _email("From: x@amazon.com", "Subject: Hello", body="You have received a message.\n")
    assert parse_notification(raw).kind is NotificationKind.BUYER_MESSAGE


BUYER_MESSAGE_FIXTURES = sorted(
    param.values[0]
    for param in EXPECTED
    if param.values[1]["kind"] is NotificationKind.BUYER_MESSAGE
)
OTHER_KIND_FIXTURES = sorted(
    param.values[0]
    for param in EXPECTED
    if param.values[1]["kind"] is not NotificationKind.BUYER_MESSAGE
)


def _without_notification_type(raw: bytes) -> bytes:
    stripped = re.sub(rb"(?im)^X-Space-Notification-Type:[^\n]*\n", b"", raw)
    assert b"X-Space-Notification-Type" not in stripped
    return stripped


@pytest.mark.parametrize("fixture_name", BUYER_MESSAGE_FIXTURES)
def test_buyer_messages_are_recognised_without_the_notification_type_header(
    load_fixture, fixture_name: str
) -> None:
    # The header is not documented by Amazon (§3.3): every language must be recognised by its
    # subject or body alone. Spanish and Italian were `other` without it.
    raw = _without_notification_type(load_fixture(NOTIFICATIONS + fixture_name))
    assert parse_notification(raw).kind is NotificationKind.BUYER_MESSAGE


@pytest.mark.parametrize("fixture_name", OTHER_KIND_FIXTURES)
def test_other_notifications_do_not_become_buyer_messages_without_the_header(
    load_fixture, fixture_name: str
) -> None:
    raw = _without_notification_type(load_fixture(NOTIFICATIONS + fixture_name))
    assert parse_notification(raw).kind is not NotificationKind.BUYER_MESSAGE


@pytest.mark.parametrize(
    ("subject", "name"),
    [
        ("Consulta del cliente de Amazon Lucía (Pedido: 171-5540932-2280417)", "Lucía"),
        (
            "Richiesta di informazioni dal cliente Amazon Giulia (Ordine: 403-6619025-7784310)",
            "Giulia",
        ),
        ("Consulta del cliente de Amazon María José", "María José"),  # no order suffix
    ],
)
def test_spanish_and_italian_subjects_give_the_kind_and_the_buyer_name(
    subject: str, name: str
) -> None:
    # Encoded as Amazon's own subjects are (buyer-message.es-es.eml): RFC 2047 Q words.
    encoded = Header(subject, "utf-8").encode()
    raw = _email(f"From: {RELAY}", f"Subject: {encoded}", body="Hola\n")
    notification = parse_notification(raw)
    assert notification.kind is NotificationKind.BUYER_MESSAGE
    assert notification.buyer_name == name


@pytest.mark.parametrize(
    "greeting",
    ["Has recibido un mensaje.", "Hai ricevuto un messaggio.", "HAS RECIBIDO UN MENSAJE."],
)
def test_spanish_and_italian_greetings_are_body_fingerprints(greeting: str) -> None:
    raw = _email(f"From: {RELAY}", "Subject: (Pedido: 171-5540932-2280417)", body=greeting + "\n")
    assert parse_notification(raw).kind is NotificationKind.BUYER_MESSAGE


FRAME_BODY = (
    "------------- {opening} -------------\n\nHallo\n\n------------- {closing} -------------\n"
)


@pytest.mark.parametrize(
    ("opening", "closing", "kind"),
    [
        # catches: a colon-ended label, then a labelled end marker, in any language
        ("Nachricht:", "Ende der Nachricht", NotificationKind.BUYER_MESSAGE),
        ("Mensaje:", "Finalizar mensaje", NotificationKind.BUYER_MESSAGE),
        ("Message:  ", "End message", NotificationKind.BUYER_MESSAGE),  # spacing varies (§3.5)
        (
            "メッセージ\uff1a",
            "メッセージの終わり",
            NotificationKind.BUYER_MESSAGE,
        ),  # fullwidth colon
        ("Wiadomość:", "Koniec wiadomości", NotificationKind.BUYER_MESSAGE),  # an unlisted language
        # leaves alone: no colon (the Portuguese seller-reply copy's frame, §3.5), no end
        # marker, bare rules, an end marker before the opening
        ("Iniciar mensagem", "Mensagem final", NotificationKind.OTHER),
        ("Nachricht:", "", NotificationKind.OTHER),
        ("", "", NotificationKind.OTHER),
        ("Ende der Nachricht", "Nachricht:", NotificationKind.OTHER),
    ],
)
def test_a_message_frame_is_a_buyer_message_fingerprint(
    opening: str, closing: str, kind: NotificationKind
) -> None:
    body = FRAME_BODY.format(opening=opening, closing=closing)
    raw = _email("From: x@amazon.de", "Subject: Hallo", body=body)
    assert parse_notification(raw).kind is kind


def test_a_bounce_quoting_a_message_frame_stays_a_delivery_failure() -> None:
    body = "We were unable to deliver the message you sent.\n\n" + FRAME_BODY.format(
        opening="Message:", closing="End message"
    )
    raw = _email("From: donotreply@amazon.com", "Subject: Hello", body=body)
    assert parse_notification(raw).kind is NotificationKind.DELIVERY_FAILURE


def test_unknown_mail_is_other() -> None:
    raw = _email("From: news@example.com", "Subject: Our autumn newsletter")
    notification = parse_notification(raw)
    assert notification.kind is NotificationKind.OTHER
    assert notification.buyer_text is None
    assert notification.received_at is None
    assert notification.marketplace is None


def test_unknown_marketplace_id_falls_back_to_relay_domain() -> None:
    raw = _email(f"From: {RELAY}", "Subject: x", "X-Marketplace-ID: NOT-A-MARKETPLACE")
    marketplace = parse_notification(raw).marketplace
    assert marketplace is not None
    assert (marketplace.country_code, marketplace.domain) == ("DE", "amazon.de")


def test_case_suffix_only_in_to_is_kept() -> None:
    raw = _email(
        f'From: "Jo - Amazon Marketplace" <{RELAY}>',
        "To: k7m2q9x4b1c8d3f+133a066e@marketplace.amazon.de, copy@acme-outdoor.example",
        "Subject: x",
    )
    notification = parse_notification(raw)
    assert notification.relay_address == "k7m2q9x4b1c8d3f+133a066e@marketplace.amazon.de"
    assert notification.relay_base_address == RELAY
    assert notification.case_id is None  # a short hex suffix is not a case ID (§3.2)


def test_received_header_when_no_date() -> None:
    raw = _email(
        "Received: by mx.acme-outdoor.example; Wed, 25 Nov 2026 09:41:05 +0100",
        "Received: by relay.example; Wed, 25 Nov 2026 08:00:00 +0000",
        "From: x@amazon.com",
        "Subject: x",
    )
    # The newest hop is the first Received header.
    assert parse_notification(raw).received_at == datetime(2026, 11, 25, 8, 41, 5, tzinfo=UTC)


def test_date_without_zone_is_utc() -> None:
    raw = _email("From: x@amazon.com", "Subject: x", "Date: Wed, 25 Nov 2026 09:41:05 -0000")
    assert parse_notification(raw).received_at == datetime(2026, 11, 25, 9, 41, 5, tzinfo=UTC)


def test_date_in_a_zone_python_does_not_know_is_read_from_received() -> None:
    # 18:00 JST is 09:00 UTC; the stdlib reads an unknown zone name as UTC, 9 h off, which put
    # the notification outside matching's window and raised a false [missing].
    raw = _email(
        "Received: by mx.acme-outdoor.example; Fri, 20 Nov 2026 09:00:04 +0000 (UTC)",
        "From: x@amazon.com",
        "Subject: x",
        "Date: Fri, 20 Nov 2026 18:00:00 JST",
    )
    assert parse_notification(raw).received_at == datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)


RECEIVED = "Received: by mx.acme-outdoor.example; Fri, 20 Nov 2026 09:00:04 +0000"


@pytest.mark.parametrize(
    ("date_header", "expected"),
    [
        # no usable offset: the Received time
        ("Date: Fri, 20 Nov 2026 09:00:00 -0000", datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)),
        ("Date: Fri, 20 Nov 2026 10:00:00 CET", datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)),
        ("Date: Fri, 20 Nov 2026 09:00:00", datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)),
        ("Date: not a date", datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)),
        (None, datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)),
        # an offset, but hours after its own receipt (a JST clock labelled +0000): the Received
        ("Date: Fri, 20 Nov 2026 18:00:00 +0000", datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)),
        ("Date: Fri, 20 Nov 2026 10:01:00 +0000", datetime(2026, 11, 20, 9, 0, 4, tzinfo=UTC)),
        # an offset, hours before the receipt (delayed in transit): the Date, when the buyer wrote
        ("Date: Fri, 20 Nov 2026 05:59:00 +0000", datetime(2026, 11, 20, 5, 59, 0, tzinfo=UTC)),
        # an offset, within an hour of the receipt: the Date, as the sender wrote it
        ("Date: Fri, 20 Nov 2026 18:00:00 +0900", datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)),
        ("Date: Fri, 20 Nov 2026 04:00:00 EST", datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)),
        ("Date: Fri, 20 Nov 2026 08:01:00 GMT", datetime(2026, 11, 20, 8, 1, 0, tzinfo=UTC)),
    ],
)
def test_date_is_checked_against_the_newest_received(
    date_header: str | None, expected: datetime
) -> None:
    headers = [RECEIVED, "From: x@amazon.com", "Subject: x"]
    raw = _email(*headers, *([date_header] if date_header else []))
    received_at = parse_notification(raw).received_at
    assert received_at == expected
    assert received_at is not None and received_at.tzinfo is UTC


def test_a_received_time_without_offset_does_not_override_a_date_with_one() -> None:
    raw = _email(
        "Received: by mx.acme-outdoor.example; Fri, 20 Nov 2026 18:00:04 JST",
        "From: x@amazon.com",
        "Subject: x",
        "Date: Fri, 20 Nov 2026 18:00:00 +0900",
    )
    assert parse_notification(raw).received_at == datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)


def test_the_newest_received_is_the_first_readable_one() -> None:
    raw = _email(
        "Received: by mx.acme-outdoor.example; garbled",
        "Received: by relay.acme-outdoor.example; Fri, 20 Nov 2026 09:00:02 +0000",
        "Received: by a8-70.smtp-out.amazonses.com; Fri, 20 Nov 2026 09:00:01 +0000",
        "From: x@amazon.com",
        "Subject: x",
        "Date: Fri, 20 Nov 2026 18:00:00 JST",
    )
    assert parse_notification(raw).received_at == datetime(2026, 11, 20, 9, 0, 2, tzinfo=UTC)


def test_garbled_date_is_left_empty() -> None:
    raw = _email("From: x@amazon.com", "Subject: x", "Date: the day after tomorrow")
    assert parse_notification(raw).received_at is None


def test_old_canadian_markers_and_unknown_charset() -> None:
    body = (
        "Order ID/Commande N\u00b0: 702-1234567-7654321:\n"
        "------------- Begin message / D\u00e9but du message -------------\n"
        "Bonjour\n"
        "------------- End message / Fin du message -------------\n"
    )
    raw = (
        "From: x@marketplace.amazon.ca\nSubject: x\n"
        "Content-Type: text/plain; charset=x-no-such-charset\n\n" + body
    ).encode()
    notification = parse_notification(raw)
    assert notification.buyer_text == "Bonjour"
    assert notification.order_ids == ("702-1234567-7654321",)


def test_a_line_of_a_million_dashes_is_not_a_separator() -> None:
    raw = _email("From: x@amazon.com", "Subject: x", body="-" * 1_000_000 + "\n")
    assert parse_notification(raw).buyer_text is None


def test_many_unclosed_pre_tags_in_html() -> None:
    raw = _email(
        "From: x@amazon.com",
        "Subject: x",
        "Content-Type: text/html; charset=utf-8",
        body="<pre" * 100_000 + "<preface>x</preface><pre>  </pre><pre class=b>kept",
    )
    assert parse_notification(raw).buyer_text == "kept"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("a<br>b &amp; c", "a\nb & c"),
        ("<style>p { x }</style><script>1</script>kept", "kept"),
        ("<pre>x", "x"),  # unclosed
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


# Properties


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_raise_unparseable(raw: bytes) -> None:
    try:
        parse_notification(raw)
    except UnparseableNotification as err:
        assert err.reason
        assert err.message_id


HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Reply-To",
        "Subject",
        "Date",
        "Received",
        "Message-ID",
        "X-Marketplace-ID",
        "X-Space-Notification-Type",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
    ]
)
HEADER_VALUES = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=80
)


@settings(max_examples=300)
@given(
    st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=12),
    st.text(max_size=300),
)
def test_arbitrary_header_values_parse_or_raise_unparseable(
    headers: list[tuple[str, str]], body: str
) -> None:
    lines = [f"{name}: {value}" for name, value in headers]
    raw = ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8", "surrogatepass")
    try:
        notification = parse_notification(raw)
    except UnparseableNotification:
        return
    assert notification.received_at is None or notification.received_at.tzinfo is UTC
    assert all(ORDER_ID.fullmatch(order_id) for order_id in notification.order_ids)


ORDER_IDS = st.from_regex(r"[0-9]{3}-[0-9]{7}-[0-9]{7}", fullmatch=True).filter(str.isascii)
# Anything but what could extend an ID: letters, digits and dashes.
SEPARATORS = st.text(
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters="-0123456789", codec="utf-8"
    ).filter(lambda character: not (character.isascii() and character.isalnum())),
    min_size=1,
    max_size=6,
)


@given(st.lists(st.tuples(ORDER_IDS, SEPARATORS), max_size=6), SEPARATORS)
def test_order_id_pattern_finds_exactly_the_ids(pieces: list[tuple[str, str]], lead: str) -> None:
    text = lead + "".join(order_id + separator for order_id, separator in pieces)
    assert ORDER_ID.findall(text) == [order_id for order_id, _ in pieces]


@given(st.lists(ORDER_IDS, min_size=1, max_size=4), st.lists(ORDER_IDS, max_size=4))
def test_order_ids_subject_first_then_body_each_once(
    subject_ids: list[str], body_ids: list[str]
) -> None:
    raw = _email(
        "From: x@amazon.com",
        "Subject: Inquiry (Order: " + ", ".join(subject_ids) + ")",
        body="\n".join(f"# {order_id}:" for order_id in body_ids) + "\n",
    )
    expected = tuple(dict.fromkeys(subject_ids + body_ids))
    assert parse_notification(raw).order_ids == expected


@pytest.mark.parametrize(
    "text",
    [
        "1234-1234567-1234567",  # a longer first group
        "123-1234567-12345678",  # a longer last group
        "A123-1234567-1234567",  # glued to a word
        "123-1234567-1234567-1",  # glued to another group
        "123-123456-1234567",  # a short middle group
        "\uff11\uff12\uff13-1234567-1234567",  # fullwidth digits
    ],
)
def test_order_id_look_alikes_are_left_alone(text: str) -> None:
    assert ORDER_ID.findall(text) == []


# The received time


MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
)
# Offsets RFC 5322 can write: whole minutes, under a day either way.
OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# Dates whose zone Python reads as "no offset": unknown names, -0000, none at all.
ZONELESS = st.sampled_from(["JST", "CEST", "IST", "AEST", "MSK", "-0000", ""])


def _stamp(moment: datetime) -> str:
    return format_datetime(moment.replace(microsecond=0))


@given(MOMENTS, OFFSETS, st.one_of(st.none(), st.integers(min_value=-3600, max_value=3600)))
def test_a_date_with_an_offset_round_trips(
    moment: datetime, offset: timezone, received_after_s: int | None
) -> None:
    # With no Received header, or one within the hour, the Date is the time, whatever its offset.
    moment = moment.replace(microsecond=0)
    headers = ["From: x@amazon.com", "Subject: x", f"Date: {_stamp(moment.astimezone(offset))}"]
    if received_after_s is not None:
        received = moment + timedelta(seconds=received_after_s)
        headers.insert(0, f"Received: by mx.example; {_stamp(received)}")
    received_at = parse_notification(_email(*headers)).received_at
    assert received_at == moment
    assert received_at is not None and received_at.tzinfo is UTC


@given(MOMENTS, OFFSETS, ZONELESS, MOMENTS)
def test_a_date_without_an_offset_gives_way_to_received(
    received: datetime, offset: timezone, zone: str, written: datetime
) -> None:
    received = received.replace(microsecond=0)
    date = written.strftime("%a, %d %b %Y %H:%M:%S ") + zone
    raw = _email(
        f"Received: by mx.example; {_stamp(received.astimezone(offset))}",
        "From: x@amazon.com",
        "Subject: x",
        f"Date: {date}",
    )
    assert parse_notification(raw).received_at == received


@given(
    st.lists(HEADER_VALUES, max_size=4),
    st.one_of(
        st.none(), HEADER_VALUES, ZONELESS.map(lambda zone: f"Fri, 20 Nov 2026 18:00 {zone}")
    ),
)
def test_a_received_derived_time_is_aware_utc(stamps: list[str], date: str | None) -> None:
    headers = [f"Received: by mx.example; {stamp}" for stamp in stamps]
    headers += ["From: x@amazon.com", "Subject: x"]
    if date is not None:
        headers.append(f"Date: {date}")
    received_at = parse_notification(_email(*headers)).received_at
    assert received_at is None or received_at.tzinfo is UTC
