"""The hotline console in Chromium at 1366×768: an acceptor opens it from the acceptance desk,
types an address, chooses a suggestion with the keyboard, sees where it lies, records the call
and gets the case number with a fresh form; once the case is closed, the callback due fits a
phone's screen."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, Channel, Status
from intake.hotline.models import Call
from tests.browser.conftest import Screenshot, signed_in
from tests.cases.conftest import World
from tests.intake.hotline.fixtures import gazetteer  # noqa: F401  (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.usefixtures("gazetteer")
def test_an_acceptor_records_a_call_choosing_an_address_suggestion(
    page: Page, live_server: object, world: World, errors: list[str], screenshot: Screenshot
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1366, "height": 768})
    signed_in(page, base, "acceptor")
    page.goto(f"{base}/")  # the acceptor's desk
    page.get_by_test_id("hotline-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("热线受理")
    page.get_by_label("来电人姓名").fill("李女士")
    page.get_by_label("来电人电话").fill("138 1234 5678")
    page.get_by_label("小类").select_option(label="0110 暴露垃圾")
    page.get_by_label("反映内容").fill("中山路12号门口垃圾堆了三天")
    address = page.get_by_label("地址", exact=True)
    address.press_sequentially("中山路12")
    suggestion = page.get_by_test_id("suggestions").get_by_role("button").first
    expect(suggestion).to_contain_text("中山路12号")
    expect(suggestion).to_contain_text("匹配方式")
    address.press("ArrowDown")
    expect(suggestion).to_be_focused()
    suggestion.press("Enter")
    expect(address).to_have_value("中山路12号")
    expect(page.get_by_test_id("grid-code")).to_have_text("520199001001003")
    expect(page.locator("#hotline-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#hotline-map path.hotline-grid")).to_have_count(1)  # its grid drawn
    screenshot(page, "hotline")
    page.get_by_role("button", name="登记来电").click()
    case = Case.objects.get()
    expect(page.get_by_test_id("recorded")).to_contain_text(case.number)
    expect(page.get_by_label("反映内容")).to_have_value("")  # a fresh form for the next call
    expect(page.get_by_test_id("today")).to_contain_text(case.number)
    assert (case.status, case.channel) == (Status.REPORTED, Channel.HOTLINE)
    assert case.address == "中山路12号"
    assert Call.objects.get(case=case).phone == "13812345678"
    # Once closed, the caller waits for a callback; on a phone the list stays on the screen.
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    due = page.get_by_test_id("callbacks").locator(f'tr[data-case="{case.number}"]')
    expect(due).to_contain_text("13812345678")
    expect(due.get_by_test_id("callback-due").locator(".light")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
