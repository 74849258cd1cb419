"""Look and accessibility in a real browser: the progress bar and aria-busy while an htmx
request runs; the focus ring's contrast (>= 3:1, WCAG 2.4.11/1.4.11) in the light and the dark
theme; the dark theme follows prefers-color-scheme."""

from __future__ import annotations

import pytest
from browser_helpers import sign_in

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.conftest import ADMIN_POLICY, PASSWORD, make_user

pytestmark = pytest.mark.e2e

CONTRAST = """(el) => {
  function rgb(text) { return text.match(/[\\d.]+/g).slice(0, 3).map(Number); }
  function lum(c) { var v = c.map(function (x) { x /= 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
  el.focus();
  var ring = rgb(getComputedStyle(el).outlineColor);
  var node = el.parentElement, bg = "rgba(0, 0, 0, 0)";
  while (node && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
    bg = getComputedStyle(node).backgroundColor; node = node.parentElement; }
  var a = lum(ring), b = lum(rgb(bg));
  return {ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
          width: getComputedStyle(el).outlineWidth,
          body: getComputedStyle(document.body).backgroundColor};
}"""


@pytest.fixture(params=["production", "debug"])
def signed_in(request, page, live_server, settings):
    settings.DEBUG = request.param == "debug"
    make_user("looker", policy=ADMIN_POLICY, password=PASSWORD)
    iam.create_user(Caller.system("test"), "gina")
    sign_in(page, live_server.url, "looker", PASSWORD)
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_contrast_and_theme(signed_in, live_server, scheme, screenshot):
    page = signed_in
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/users/gina/")
    page.keyboard.press("Tab")  # keyboard modality: :focus-visible applies
    for selector in ["#attach-policy", "main a[href='/users/']", "button[type=submit]"]:
        element = page.locator(f"#main {selector}".replace("#main main ", "#main ")).first
        if not element.count():
            continue
        found = element.evaluate(CONTRAST)
        assert found["ratio"] >= 3, (selector, found)
        assert found["width"] == "3px"
    body = found["body"]
    assert (body == "rgb(18, 22, 29)") == (scheme == "dark"), body
    screenshot(f"look-{scheme}")


def test_htmx_requests_show_progress_and_mark_the_target_busy(signed_in, live_server):
    from playwright.sync_api import expect

    page = signed_in
    iam.create_group(Caller.system("test"), "crew")
    page.goto(f"{live_server.url}/users/gina/")
    page.evaluate("""() => { window.seen = [];
      document.addEventListener("htmx:beforeSend", function (e) {
        window.seen.push([document.getElementById("htmx-progress").classList
          .contains("htmx-request"), e.detail.target.getAttribute("aria-busy")]); }); }""")
    page.get_by_role("tab", name="Groups").click()
    # (no wait_for_function: the page's CSP forbids the eval it uses)
    expect(page.get_by_label("Add to group")).to_be_visible()
    assert page.evaluate("() => window.seen[0]") == [True, "true"]
    expect(page.locator("[aria-busy]")).to_have_count(0)
    assert "htmx-request" not in (page.locator("#htmx-progress").get_attribute("class") or "")


def test_policies_list_layout_does_not_wrap(signed_in, live_server, screenshot):
    """The Filter button, the type badges and the dates stay on one line; the search box
    shows its whole placeholder."""
    page = signed_in
    iam.create_policy(Caller.system("test"), "AVeryLongCustomerPolicyNameForLayout",
                      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                      '"Action":"s3:GetObject","Resource":"*"}]}')
    page.goto(f"{live_server.url}/policies/")
    screenshot("policies-list")

    def lines(locator) -> float:
        box = locator.evaluate("(el) => [el.getBoundingClientRect().height,"
                               " parseFloat(getComputedStyle(el).lineHeight) || 20]")
        return box[0] / box[1]

    button = page.get_by_role("button", name="Filter")
    assert lines(button) < 2.5  # padding included
    # at 1280px the button stays on the row of the filters
    assert button.bounding_box()["y"] < page.locator("#f-q").bounding_box()["y"] + 40
    for badge in page.locator("#results .badge").all():
        assert lines(badge) < 1.6
    for date in page.locator("#results time").all():
        assert lines(date) < 1.6
    for field in ("#f-q", "#f-tag"):
        fits = page.locator(field).evaluate(
            "(el) => { var c = document.createElement('canvas').getContext('2d');"
            " c.font = getComputedStyle(el).font; var s = getComputedStyle(el);"
            " return c.measureText(el.placeholder).width <= el.clientWidth"
            " - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }")
        assert fits, field
