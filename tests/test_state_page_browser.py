"""The state page in a headless Chromium, checked through what a person sees on it and against
the mock's own answers (boto3 on the same endpoint): its rows and statuses, the colours of the
statuses, the clock and its cursor, the controls, keyboard use and contrast, that nothing leaves
the machine, 200 deployments, the self-contained report file, and managed daemons' rows.

One browser serves the whole module; each test opens the page against a server of its own. The
tests that draw the docs' pictures save them in ``docs/images/state-page/``. Run them with
``python -m pytest -m browser`` (Debian's ``chromium`` and ``chromium-driver`` are needed).
"""

from __future__ import annotations

import colorsys
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver import Chrome
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from mock_ecs_deployments import mock_service_deployments, serve_in_thread
from mock_ecs_deployments.engine.model.service_model import deployment_statuses
from mock_ecs_deployments.picture.model import build_picture
from mock_ecs_deployments.picture.page import render_page
from mock_ecs_deployments.server.client import MockEndpoint

from .clients import endpoint_client, new_client

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))
SCREENSHOTS = ROOT / "docs" / "images" / "state-page"
UI_PATH = "/mock-ecs-deployments/ui/"
WINDOW = (1280, 900)
WAIT = 5.0  # seconds: the page polls every second, so anything it shows shows well before this
INSTALL_HINT = (
    "The browser tests need Debian's Chromium and its driver:\n"
    "    sudo apt-get update && sudo apt-get install -y chromium chromium-driver\n"
    "(then `python -m pytest -m browser` again)."
)
CHROME_ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
)
STATUSES = tuple(deployment_statuses())
#: The contract's controls (and their forms), which the report file must not show.
CONTROL_IDS = (
    "advance-60",
    "advance-600",
    "advance-seconds",
    "advance-submit",
    "stop-rollback",
    "stop-abort",
    "hook-continue",
    "hook-rollback",
    "plan-form",
    "plan-service",
    "plan-outcome",
    "plan-in-progress",
    "plan-submit",
    "error-form",
    "error-operation",
    "error-code",
    "error-times",
    "error-submit",
    "scenario-file",
    "scenario-load",
    "download-state",
    "reset",
)

T = TypeVar("T")


# -- scenarios -------------------------------------------------------------------------------


def _finished(created_at: str, finished_at: str, **more: Any) -> dict[str, Any]:
    return {"status": "SUCCESSFUL", "created_at": created_at, "finished_at": finished_at, **more}


def _planned(created_at: str = "-1m", **plan: Any) -> dict[str, Any]:
    """A deployment that moves with the clock: PENDING for no time, then IN_PROGRESS."""
    return {"created_at": created_at, "plan": {"pending_for": "0s", **plan}}


def _scenario(*services: dict[str, Any]) -> dict[str, Any]:
    return {"services": [{"cluster": "prod", **service} for service in services]}


#: web: a finished deployment, then one IN_PROGRESS for 30 minutes (with a source revision).
DEPLOYING = _scenario(
    {
        "service": "web",
        "deployments": [
            _finished("-2h", "-115m"),
            _planned(in_progress_for="30m", rollback_for="10m"),
        ],
    }
)


#: web: its last deploy rolled back an hour ago (the circuit breaker), as in the report file.
ROLLED_BACK = _scenario(
    {
        "service": "web",
        "desired_count": 3,
        "deployment_configuration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True}
        },
        "deployments": [
            _finished("-5h", "-4h54m"),
            _finished("-3h", "-2h55m"),
            {
                "status": "ROLLBACK_SUCCESSFUL",
                "created_at": "-70m",
                "rollback_started_at": "-58m",
                "finished_at": "-50m",
                "status_reason": "ECS deployment circuit breaker: tasks failed to start.",
            },
        ],
    }
)


#: A managed daemon, agent in prod on 4 instances, whose first deployment (of agent:1) moves
#: for a minute; agent:2 is registered for the next.
DAEMON = {
    "services": [],
    "capacity_providers": [{"name": "managed", "cluster": "prod", "instances": 4}],
    "daemon_task_definitions": [
        {"family": "agent", "images": [{"name": "agent", "image": f"agent:{n}"}]} for n in (1, 2)
    ],
    "daemons": [
        {
            "daemon": "agent",
            "cluster": "prod",
            "task_definition": "agent:1",
            "capacity_providers": ["managed"],
            "plan": {"in_progress_for": "1m"},
        }
    ],
}


# -- the browser -----------------------------------------------------------------------------


def _executable(name: str) -> str:
    """The path of ``name`` (on PATH, else in /usr/bin); fails the test, saying how to install
    it, when it is missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/bin")
    if found is None:
        pytest.fail(f"`{name}` is missing. {INSTALL_HINT}", pytrace=False)
    return found


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser saves downloads."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[Chrome]:
    """One headless Chromium for the module, 1280x900, with a fresh profile, its console kept
    and downloads saved to ``downloads`` without asking."""
    options = webdriver.ChromeOptions()
    options.binary_location = _executable("chromium")
    for argument in CHROME_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = Chrome(service=Service(_executable("chromedriver")), options=options)
    try:
        driver.set_window_size(*WINDOW)
        # The page gets the whole window: 1280x900 of layout, and pictures of that size.
        width, height = WINDOW
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        yield driver
    finally:
        driver.quit()


@pytest.fixture(autouse=True)
def _console_stays_clean(browser: Chrome) -> Iterator[None]:
    """Every test fails on an error in the browser's console (a script error, a failed
    request...)."""
    browser.get_log("browser")  # what an earlier test left
    yield
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], "the browser's console shows errors:\n" + "\n".join(
        str(entry["message"]) for entry in severe
    )


# -- the page --------------------------------------------------------------------------------

#: Each service section and each of its rows, as the page shows them.
READ_SERVICES = """
return Array.from(document.querySelectorAll('section.service')).map((section) => ({
  arn: section.dataset.serviceArn,
  heading: (section.querySelector('h2') || {innerText: ''}).innerText,
  rows: Array.from(section.querySelectorAll('.deployment')).map((row) => ({
    arn: row.dataset.deploymentArn,
    status: row.dataset.status,
    text: row.innerText,
    label: row.getAttribute('aria-label') || '',
    tabindex: row.getAttribute('tabindex'),
    role: row.getAttribute('role'),
  })),
}));
"""
#: The "Daemons" section (whether it comes after every service's), and each daemon's section
#: and rows: each row's status bars (status, tooltip, x, fill and its status's custom
#: property), its end cap and its marks.
READ_DAEMONS = """
const group = document.querySelector('#services > section.daemons');
const probe = document.createElement('span');
document.body.appendChild(probe);
const property = (status) => {
  probe.style.color = 'var(--status-' + status + ')';
  return getComputedStyle(probe).color;
};
const out = {
  title: group ? group.querySelector('h2').innerText : null,
  afterServices: Boolean(group) && Array.from(document.querySelectorAll('section.service'))
    .every((s) => s.compareDocumentPosition(group) & Node.DOCUMENT_POSITION_FOLLOWING),
  daemons: Array.from(document.querySelectorAll('section.daemon')).map((section) => ({
    arn: section.dataset.daemonArn,
    inGroup: section.parentElement === group,
    heading: section.querySelector('h3').innerText,
    rows: Array.from(section.querySelectorAll('.deployment')).map((row) => ({
      arn: row.dataset.deploymentArn,
      kind: row.dataset.kind,
      status: row.dataset.status,
      text: row.innerText,
      label: row.getAttribute('aria-label') || '',
      bars: Array.from(row.querySelectorAll('rect.status-bar:not(.terminal)')).map((bar) => ({
        status: bar.dataset.status, title: bar.querySelector('title').textContent,
        x: Number(bar.getAttribute('x')), fill: getComputedStyle(bar).fill,
        property: property(bar.dataset.status),
      })),
      cap: (row.querySelector('rect.status-bar.terminal') || {dataset: {}}).dataset.status || null,
      marks: Array.from(row.querySelectorAll('.mark')).map((mark) => mark.dataset.kind),
    })),
  })),
};
probe.remove();
return out;
"""
#: The selected row's ARN, and whether it says so to assistive technology.
READ_SELECTED = """
const rows = Array.from(document.querySelectorAll('.deployment.selected'));
return rows.map((row) => [
  row.dataset.deploymentArn,
  row.getAttribute('aria-pressed') === 'true' || row.hasAttribute('aria-current'),
]);
"""


class Page:
    """The state page open in the browser: what a test reads on it and does to it."""

    def __init__(self, driver: Chrome) -> None:
        self.driver = driver

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(
        self,
        condition: Callable[[], T],
        message: str,
        timeout: float = WAIT,
        ignoring: tuple[type[Exception], ...] = (),
    ) -> T:
        """``condition()`` once it is truthy; fails with ``message`` after ``timeout``. The page
        redraws its rows every second, so an element found a moment ago may be gone: that only
        means trying again."""
        waiter = WebDriverWait(
            self.driver,
            timeout,
            poll_frequency=0.05,
            ignored_exceptions=(
                StaleElementReferenceException,
                ElementClickInterceptedException,
                *ignoring,
            ),
        )
        try:
            return waiter.until(lambda _: condition())
        except TimeoutException:
            pytest.fail(f"after {timeout} s: {message}", pytrace=False)

    # -- reading --

    def services(self) -> list[dict[str, Any]]:
        services: list[dict[str, Any]] = self.js(READ_SERVICES)
        return services

    def rows(self) -> dict[str, dict[str, Any]]:
        """Every deployment row, by ARN."""
        return {row["arn"]: row for service in self.services() for row in service["rows"]}

    def status(self, arn: str) -> str | None:
        row = self.rows().get(arn)
        return None if row is None else str(row["status"])

    def daemons(self) -> dict[str, Any]:
        """The "Daemons" section as :data:`READ_DAEMONS` reads it."""
        daemons: dict[str, Any] = self.js(READ_DAEMONS)
        return daemons

    def daemon_rows(self) -> dict[str, dict[str, Any]]:
        """Every daemon deployment row, by ARN."""
        return {row["arn"]: row for daemon in self.daemons()["daemons"] for row in daemon["rows"]}

    def wait_for_daemon_status(self, arn: str, status: str) -> dict[str, Any]:
        """The daemon deployment's row once its status, as data and as visible text, is
        ``status``."""

        def shown() -> dict[str, Any] | None:
            row = self.daemon_rows().get(arn)
            return row if row is not None and row["status"] == status in row["text"] else None

        found: dict[str, Any] = self.wait(
            shown, f"the daemon row of {arn} does not show {status}: {self.daemon_rows()}"
        )
        return found

    def clock_ms(self) -> int:
        return int(self.js("return Number(document.getElementById('clock').dataset.nowMs)"))

    def text(self, element_id: str) -> str:
        return str(self.js("return document.getElementById(arguments[0]).innerText", element_id))

    def shown(self, element_id: str) -> bool:
        return self.driver.find_element(By.ID, element_id).is_displayed()

    # -- waiting --

    def wait_for_rows(self, count: int) -> dict[str, dict[str, Any]]:
        self.wait(
            lambda: len(self.rows()) == count,
            f"the page does not show {count} deployment rows (it shows {len(self.rows())})",
        )
        return self.rows()

    def wait_for_status(self, arn: str, *statuses: str) -> str:
        """The row's status once it is one of ``statuses``, and its visible text says so."""

        def shown() -> str | None:
            row = self.rows().get(arn)
            if row is not None and row["status"] in statuses and row["status"] in row["text"]:
                return str(row["status"])
            return None

        return str(
            self.wait(
                shown, f"the row of {arn} does not show {' or '.join(statuses)}: {self.status(arn)}"
            )
        )

    def wait_for_message(self) -> str:
        """The text ``#message`` shows once the last control has been answered."""
        return self.wait(lambda: self.text("message").strip(), "#message shows nothing")

    # -- doing --

    def click(self, element_id: str) -> None:
        self.driver.find_element(By.ID, element_id).click()

    def type_into(self, element_id: str, text: str) -> None:
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def choose(self, select_id: str, value: str) -> None:
        """Choose the option of ``value`` in a select, once the page offers it."""

        def choose() -> bool:
            Select(self.driver.find_element(By.ID, select_id)).select_by_value(value)
            return True

        self.wait(choose, f"#{select_id} offers no {value!r}", ignoring=(NoSuchElementException,))

    def select(self, arn: str) -> None:
        """Click the deployment's row, and wait until the details show it."""

        def click() -> bool:
            row = self.driver.find_element(
                By.CSS_SELECTOR, f'.deployment[data-deployment-arn="{arn}"]'
            )
            self.js("arguments[0].scrollIntoView({block: 'center'})", row)
            row.click()
            return True

        self.wait(click, f"no row of {arn} to click")
        self.wait(
            lambda: (
                self.js(READ_SELECTED) == [[arn, True]] and arn in self.text("details-describe")
            ),
            f"clicking the row of {arn} does not select it and show its details",
        )

    def screenshot(self, name: str) -> None:
        """Save what the window shows as a picture for the docs."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.js("window.scrollTo(0, 0)")
        assert self.driver.save_screenshot(str(SCREENSHOTS / name)), name


def open_page(driver: Chrome, endpoint: str) -> Page:
    """The live page of ``endpoint``, once it has drawn the server's state."""
    driver.get(endpoint + UI_PATH)
    page = Page(driver)
    page.wait(
        lambda: page.js("return document.body.dataset.mode === 'live' && window.renderCount > 0"),
        "the live page never drew the server's state",
    )
    return page


@contextmanager
def serving(browser: Chrome, *scenarios: Any) -> Iterator[tuple[MockEndpoint, Any]]:
    """A server of its own (started from ``scenarios``) and a boto3 ECS client on it. Before the
    server stops, the browser leaves its page, which would otherwise go on polling a server that
    is gone (and log the refused connections as errors)."""
    with serve_in_thread(scenarios=list(scenarios)) as endpoint:
        try:
            yield endpoint, ecs_client(endpoint)
        finally:
            browser.get("about:blank")


def ecs_client(endpoint: str, region: str = "us-east-1", **options: Any) -> Any:
    return endpoint_client(endpoint, region=region, **options)


# -- the mock's answers ----------------------------------------------------------------------


def listed(ecs: Any, cluster: str, service: str) -> dict[str, str]:
    """ListServiceDeployments, every page: status by ARN."""
    statuses: dict[str, str] = {}
    token: dict[str, str] = {}
    while True:
        page = ecs.list_service_deployments(cluster=cluster, service=service, **token)
        for item in page["serviceDeployments"]:
            statuses[item["serviceDeploymentArn"]] = item["status"]
        if "nextToken" not in page:
            return statuses
        token = {"nextToken": page["nextToken"]}


def described(ecs: Any, *arns: str) -> dict[str, dict[str, Any]]:
    """DescribeServiceDeployments, 20 ARNs a call: each item by ARN."""
    items: dict[str, dict[str, Any]] = {}
    for start in range(0, len(arns), 20):
        answer = ecs.describe_service_deployments(serviceDeploymentArns=list(arns[start:][:20]))
        assert answer["failures"] == []
        items.update({item["serviceDeploymentArn"]: item for item in answer["serviceDeployments"]})
    return items


def newest(ecs: Any, service: str, status: str | None = None) -> str:
    """The ARN of the service's newest deployment (in ``status``, when given)."""
    filters = {} if status is None else {"status": [status]}
    page = ecs.list_service_deployments(cluster="prod", service=service, **filters)
    return str(page["serviceDeployments"][0]["serviceDeploymentArn"])


def epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def iso_text(ms: int) -> str:
    """``ms`` as the page writes a time (JavaScript's ``toISOString``)."""
    moment = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bar_titles(deployment: dict[str, Any]) -> list[str]:
    """What the status bars of a deployment of the picture say when hovered."""
    return [
        f"{segment['name']}: {iso_text(segment['start_ms'])} to "
        + ("now" if segment["end_ms"] is None else iso_text(segment["end_ms"]))
        for segment in deployment["segments"]
        if segment["kind"] == "status"
    ]


# -- colours and contrast --------------------------------------------------------------------

#: Each status's colour: the computed fill of its bars, and what its custom property gives.
READ_STATUS_COLOURS = """
const out = {};
for (const bar of document.querySelectorAll('rect.status-bar[data-status]')) {
  (out[bar.dataset.status] = out[bar.dataset.status] || {bars: []}).bars.push(
    getComputedStyle(bar).fill);
}
const probe = document.createElement('span');
document.body.appendChild(probe);
for (const status of Object.keys(out)) {
  probe.style.color = 'var(--status-' + status + ')';
  out[status].property = getComputedStyle(probe).color;
}
probe.remove();
for (const badge of document.querySelectorAll('.deployment[data-status] .badge')) {
  const status = badge.closest('.deployment').dataset.status;
  if (out[status]) (out[status].badges = out[status].badges || []).push(
    getComputedStyle(badge).backgroundColor);
}
return out;
"""

#: For every visible element with text of its own (and every field that shows a value): the
#: WCAG contrast ratio of its text colour against the background under it, the first
#: non-transparent one up its ancestors (a translucent one blended over what is under it).
CONTRAST = """
const parse = (value) => {
  const m = /rgba?\\(([^)]*)\\)/.exec(value || '');
  if (!m) return null;
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
const background = (element) => {
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour && colour[3] > 0) {
      layers.push(colour);
      if (colour[3] >= 1) break;
    }
  }
  return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
};
const luminance = (rgb) => {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const SKIP = new Set(['SCRIPT', 'STYLE', 'TITLE', 'OPTION', 'DATALIST', 'title']);
const FIELDS = 'input:not([type=hidden]):not([type=file]), select, textarea';
const failures = [];
let checked = 0;
for (const element of document.body.querySelectorAll('*')) {
  if (SKIP.has(element.tagName)) continue;
  const ownText = Array.from(element.childNodes).some(
    (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  if (!ownText && !element.matches(FIELDS)) continue;
  const style = getComputedStyle(element);
  if (!element.getClientRects().length || style.visibility !== 'visible') continue;
  const svgText = element instanceof SVGElement;
  const ink = parse(svgText ? style.fill : style.color);
  if (!ink) continue;
  const under = background(element);
  const fg = over(ink, under);
  const [hi, lo] = [luminance(fg), luminance(under)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  checked += 1;
  if (ratio < 4.5) {
    failures.push({
      element: element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
        (element.className && typeof element.className === 'string'
          ? '.' + element.className.trim().split(/\\s+/).join('.') : ''),
      text: (element.innerText || element.textContent || element.value || '').trim().slice(0, 40),
      ratio: Math.round(ratio * 100) / 100,
      colour: style.color, background: 'rgb(' + under.map(Math.round).join(', ') + ')',
    });
  }
}
return {checked, failures};
"""

#: Every button, field and select with the accessible name it gets from a <label>, a wrapping
#: <label>, aria-label, aria-labelledby, or (a button) its own text.
ACCESSIBLE_NAMES = """
const text = (node) => (node ? node.textContent : '').replace(/\\s+/g, ' ').trim();
const nameOf = (element) => {
  const ids = (element.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
  const labelledBy = ids.map((id) => text(document.getElementById(id))).join(' ').trim();
  if (labelledBy) return labelledBy;
  const label = (element.getAttribute('aria-label') || '').trim();
  if (label) return label;
  const labels = Array.from(element.labels || []).map(text).join(' ').trim();
  if (labels) return labels;
  if (element.tagName === 'BUTTON') return text(element);
  if (element.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(element.type)) {
    return (element.value || '').trim();
  }
  return '';
};
return Array.from(document.querySelectorAll(
  'button, input:not([type=hidden]), select, textarea, [role=button]'
)).map((element) => [
  element.tagName.toLowerCase() + (element.id ? '#' + element.id : ''), nameOf(element),
]);
"""

#: Every address the page asked for, and every src/href in its DOM, resolved.
ADDRESSES = """
const requested = performance.getEntriesByType('resource').map((entry) => entry.name);
const named = [];
for (const element of document.querySelectorAll('*')) {
  for (const attribute of ['src', 'href', 'xlink:href', 'srcset', 'action', 'poster', 'data']) {
    const value = element.getAttribute(attribute);
    if (value !== null && value !== '') named.push(new URL(value, document.baseURI).href);
  }
}
return {origin: location.origin, requested, named};
"""


def rgb(css: str) -> tuple[int, int, int]:
    """``rgb(46, 159, 75)`` (or ``rgba(...)``) as three numbers."""
    numbers = re.findall(r"[\d.]+", css)
    assert len(numbers) >= 3, css
    red, green, blue = (round(float(number)) for number in numbers[:3])
    return red, green, blue


def hue_lightness_saturation(colour: tuple[int, int, int]) -> tuple[float, float, float]:
    """Hue in degrees (0 to 360), lightness and saturation (0 to 1), as HSL has them."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in colour))
    return hue * 360, lightness, saturation


def _hue_between(low: float, high: float, *, saturation: float) -> Callable[[Any], bool]:
    def check(colour: tuple[int, int, int]) -> bool:
        hue, _, sat = hue_lightness_saturation(colour)
        inside = low <= hue <= high if low <= high else hue >= low or hue <= high
        return inside and sat >= saturation

    return check


def _grey(colour: tuple[int, int, int]) -> bool:
    return hue_lightness_saturation(colour)[2] <= 0.2


GREEN = _hue_between(90, 165, saturation=0.3)
RED = _hue_between(345, 15, saturation=0.4)
BLUE = _hue_between(190, 250, saturation=0.3)
AMBER = _hue_between(15, 50, saturation=0.4)
VIOLET = _hue_between(255, 300, saturation=0.3)
#: What each status's colour must read as.
COLOUR_MEANINGS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "SUCCESSFUL": ("green", GREEN),
    "ROLLBACK_FAILED": ("red", RED),
    "IN_PROGRESS": ("blue", BLUE),
    "ROLLBACK_REQUESTED": ("amber or orange", AMBER),
    "ROLLBACK_IN_PROGRESS": ("amber or orange", AMBER),
    "STOPPED": ("grey", _grey),
    # A rollback that ended well is neither a success, a failure nor still running: violet.
    "ROLLBACK_SUCCESSFUL": ("violet", VIOLET),
}


# -- 1. rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_service_and_deployment_shows_with_the_mocks_status(
    browser: Chrome, scenario: Path
) -> None:
    """Each example scenario: every service is a section headed with its name, cluster, region
    and account, and every deployment a row (focusable, a button, named by its id and status)
    whose status, as data and as visible text, is what ListServiceDeployments and
    DescribeServiceDeployments answer for it."""
    with serving(browser, scenario) as (endpoint, _):
        state = endpoint.dump_scenario()  # where all share a region or account, it says so once
        expected: dict[str, dict[str, str]] = {}  # service ARN -> deployment ARN -> status
        headings: dict[str, tuple[str, ...]] = {}
        for service in state["services"]:
            region = service.get("region", state.get("region"))
            account = service.get("account_id", state.get("account_id"))
            ecs = ecs_client(endpoint, region)
            statuses = listed(ecs, service["cluster"], service["service"])
            items = described(ecs, *statuses)
            assert {arn: item["status"] for arn, item in items.items()} == statuses
            (service_arn,) = {item["serviceArn"] for item in items.values()}
            expected[service_arn] = statuses
            headings[service_arn] = (service["service"], service["cluster"], region, account)
        page = open_page(browser, endpoint)
        page.wait_for_rows(sum(len(statuses) for statuses in expected.values()))

        shown = page.services()
        assert sorted(section["arn"] for section in shown) == sorted(expected)
        for section in shown:
            for part in headings[section["arn"]]:
                assert part in section["heading"], (section["heading"], part)
            rows = {row["arn"]: row for row in section["rows"]}
            assert {arn: row["status"] for arn, row in rows.items()} == expected[section["arn"]]
            for arn, row in rows.items():
                assert row["status"] in row["text"], row
                assert (row["tabindex"], row["role"]) == ("0", "button"), row
                assert arn.rpartition("/")[2] in row["label"], row
                assert row["status"] in row["label"], row
        if scenario.stem == "mid_deploy":
            page.screenshot("overview.png")


# -- 2. colours ------------------------------------------------------------------------------


def test_each_status_has_a_colour_of_its_own_that_means_it(browser: Chrome) -> None:
    """Every status shows in the timeline; its bars' colour is the one its custom property
    defines and its badges wear: green for SUCCESSFUL, red for ROLLBACK_FAILED, blue for
    IN_PROGRESS, amber for a rollback under way, grey for STOPPED, and no two statuses alike."""
    services = [
        {
            "service": f"s{index}",
            "deployments": [_finished("-2h", "-115m"), {"status": status, "created_at": "-1h"}],
        }
        for index, status in enumerate(STATUSES)
    ]
    # Asked for and granted at once, STOP_REQUESTED and ROLLBACK_REQUESTED show as stretches.
    for name in ("aborted", "rolled"):
        services.append(
            {
                "service": name,
                "deployments": [_finished("-2h", "-115m"), _planned(in_progress_for="1h")],
            }
        )
    with serving(browser, _scenario(*services)) as (endpoint, ecs):
        ecs.stop_service_deployment(serviceDeploymentArn=newest(ecs, "aborted"), stopType="ABORT")
        ecs.stop_service_deployment(serviceDeploymentArn=newest(ecs, "rolled"), stopType="ROLLBACK")
        page = open_page(browser, endpoint)
        page.wait_for_rows(2 * len(services))
        page.wait(
            lambda: set(page.js(READ_STATUS_COLOURS)) >= set(STATUSES),
            "not every status has a bar (rect.status-bar[data-status])",
        )
        colours: dict[str, Any] = page.js(READ_STATUS_COLOURS)

    bar_colour: dict[str, tuple[int, int, int]] = {}
    for status in STATUSES:
        (fill,) = {rgb(fill) for fill in colours[status]["bars"]}
        bar_colour[status] = fill
        assert rgb(colours[status]["property"]) == fill, (status, colours[status])
        for badge in colours[status].get("badges", []):
            assert rgb(badge) == fill, (status, "badge", badge)
    for status, (meaning, means) in COLOUR_MEANINGS.items():
        assert means(bar_colour[status]), (
            f"{status}'s colour rgb{bar_colour[status]} (hue, lightness, saturation"
            f" {hue_lightness_saturation(bar_colour[status])}) is not {meaning}"
        )
    by_colour: dict[tuple[int, int, int], list[str]] = {}
    for status, colour in bar_colour.items():
        by_colour.setdefault(colour, []).append(status)
    assert [names for names in by_colour.values() if len(names) > 1] == []


# -- 3. the clock ----------------------------------------------------------------------------

#: The cursor's middle on screen, the clock, and the left edge of each given row's first status
#: bar (which starts where the deployment was created).
READ_CURSOR = """
const cursor = document.getElementById('now-cursor');
const box = cursor.getBoundingClientRect();
const starts = arguments[0].map((arn) => {
  const row = document.querySelector('.deployment[data-deployment-arn="' + arn + '"]');
  return row.querySelector('rect.status-bar:not(.terminal)').getBoundingClientRect().left;
});
const rowCursors = Array.from(document.querySelectorAll('.deployment line.now-cursor'))
  .map((line) => { const b = line.getBoundingClientRect(); return (b.left + b.right) / 2; });
return {
  x: (box.left + box.right) / 2, x1: cursor.getAttribute('x1'),
  cursorMs: Number(cursor.getAttribute('data-now-ms')),
  clockMs: Number(document.getElementById('clock').dataset.nowMs),
  starts, rowCursors,
};
"""


def test_advancing_ten_minutes_moves_the_clock_the_cursor_and_the_deployments(
    browser: Chrome,
) -> None:
    """Clicking "Advance 10 min" shows a clock 10 minutes later; the now cursor moves right by
    10 minutes on the time axis (measured against two deployments' starts, which stay put) and
    every row's cursor is in line with it; a deployment whose plan ended meanwhile shows
    SUCCESSFUL, as DescribeServiceDeployments says."""
    scenario = _scenario(
        {
            "service": "web",
            "deployments": [
                _finished("-30m", "-28m"),
                _finished("-20m", "-18m"),
                _planned(in_progress_for="5m"),
            ],
        }
    )
    with serving(browser, scenario) as (endpoint, ecs):
        arns = sorted(
            listed(ecs, "prod", "web"), key=lambda arn: described(ecs, arn)[arn]["createdAt"]
        )
        created = [epoch_ms(described(ecs, arn)[arn]["createdAt"]) for arn in arns[:2]]
        page = open_page(browser, endpoint)
        page.wait_for_status(arns[2], "IN_PROGRESS")

        def cursor_time(reading: dict[str, Any]) -> float:
            """The instant the cursor stands at, read off the axis by the two fixed starts."""
            (x1, x2), (t1, t2) = reading["starts"], created
            return float(t1 + (reading["x"] - x1) * (t2 - t1) / (x2 - x1))

        def pixel_ms(reading: dict[str, Any]) -> float:
            (x1, x2), (t1, t2) = reading["starts"], created
            return float((t2 - t1) / (x2 - x1))

        before = page.js(READ_CURSOR, arns[:2])
        page.click("advance-600")
        page.wait(
            lambda: page.clock_ms() >= before["clockMs"] + 600_000,
            f"#clock does not show 10 minutes after {page.text('clock')}",
        )
        after = page.js(READ_CURSOR, arns[:2])
        server_now = epoch_ms(endpoint.advance(0))
        assert before["clockMs"] + 600_000 <= after["clockMs"] <= server_now
        assert after["clockMs"] - before["clockMs"] < 600_000 + 15_000  # 10 minutes, not more

        assert after["x1"] != before["x1"], "the now cursor's x did not change"
        for reading in (before, after):
            # The cursor stands where the clock is, within 2 pixels, and every row agrees.
            assert abs(cursor_time(reading) - reading["clockMs"]) <= 2 * pixel_ms(reading), reading
            assert reading["cursorMs"] == reading["clockMs"], reading
            assert all(abs(x - reading["x"]) <= 1 for x in reading["rowCursors"]), reading
        moved = cursor_time(after) - cursor_time(before)
        assert moved > 0, "the now cursor did not move right on the time axis"
        assert abs(moved - (after["clockMs"] - before["clockMs"])) <= 4 * pixel_ms(after)

        assert page.wait_for_status(arns[2], "SUCCESSFUL") == "SUCCESSFUL"
        assert described(ecs, arns[2])[arns[2]]["status"] == "SUCCESSFUL"


def test_the_page_follows_the_server_by_itself(browser: Chrome) -> None:
    """With nobody touching the page, time moved through the control API shows on it within
    a couple of seconds: the clock, and a deployment that finished meanwhile."""
    scenario = _scenario(
        {"service": "web", "deployments": [_planned("now", in_progress_for="45s")]}
    )
    with serving(browser, scenario) as (endpoint, ecs):
        arn = newest(ecs, "web")
        page = open_page(browser, endpoint)
        page.wait_for_status(arn, "IN_PROGRESS")
        later = epoch_ms(endpoint.advance(60))
        page.wait(
            lambda: page.clock_ms() >= later, f"#clock stays at {page.text('clock')} after +60 s"
        )
        page.wait_for_status(arn, "SUCCESSFUL")
        assert described(ecs, arn)[arn]["status"] == "SUCCESSFUL"


# -- 4. stopping, rolling back, hooks --------------------------------------------------------


def test_stop_and_roll_back_a_deployment(browser: Chrome) -> None:
    """Select an IN_PROGRESS deployment that replaced another, click "Stop and roll back": its
    row says ROLLBACK_REQUESTED or ROLLBACK_IN_PROGRESS, as DescribeServiceDeployments does,
    and once time moves the rollback is marked on its timeline."""
    with serving(browser, DEPLOYING) as (endpoint, ecs):
        arn = newest(ecs, "web", "IN_PROGRESS")
        page = open_page(browser, endpoint)
        page.select(arn)
        assert page.driver.find_element(By.ID, "stop-rollback").is_enabled()
        page.click("stop-rollback")
        rolling = ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
        page.wait_for_status(arn, *rolling)
        assert described(ecs, arn)[arn]["status"] in rolling

        endpoint.advance(60)
        selector = f'.deployment[data-deployment-arn="{arn}"] .mark[data-kind="rollback"]'
        page.wait(
            lambda: page.driver.find_elements(By.CSS_SELECTOR, selector),
            "no rollback mark on the deployment's timeline after time moved",
        )
        page.wait_for_status(arn, "ROLLBACK_IN_PROGRESS")
        item = described(ecs, arn)[arn]
        assert item["status"] == "ROLLBACK_IN_PROGRESS"
        assert "rollback" in item
        page.wait(
            lambda: "ROLLBACK_IN_PROGRESS" in page.text("details-describe"),
            "the details do not show the rollback",
        )
        shown = json.loads(page.text("details-describe"))  # the describe item, as JSON
        assert (shown["serviceDeploymentArn"], shown["status"]) == (arn, item["status"])
        assert page.text("details-tasks").strip(), "the details say nothing about tasks"
        page.screenshot("details.png")


def test_stop_a_deployment(browser: Chrome) -> None:
    """Clicking "Stop (abort)" stops the selected deployment (STOP_REQUESTED, then STOPPED, as
    DescribeServiceDeployments says); the stop buttons are off where they would be refused:
    both for a finished deployment, "roll back" for one with nothing to roll back to."""
    scenario = _scenario(
        {
            "service": "web",
            "deployments": [_finished("-2h", "-115m"), _planned(in_progress_for="30m")],
        },
        {"service": "first", "deployments": [_planned(in_progress_for="30m")]},
    )
    with serving(browser, scenario) as (endpoint, ecs):
        finished, running = newest(ecs, "web", "SUCCESSFUL"), newest(ecs, "web", "IN_PROGRESS")
        page = open_page(browser, endpoint)

        def enabled() -> tuple[bool, bool]:
            find = page.driver.find_element
            return find(By.ID, "stop-rollback").is_enabled(), find(By.ID, "stop-abort").is_enabled()

        page.select(finished)
        assert enabled() == (False, False)
        page.select(newest(ecs, "first"))
        assert enabled() == (False, True)
        page.select(running)
        assert enabled() == (True, True)

        page.click("stop-abort")
        page.wait_for_status(running, "STOP_REQUESTED", "STOPPED")
        assert described(ecs, running)[running]["status"] in ("STOP_REQUESTED", "STOPPED")
        endpoint.advance(1)
        page.wait_for_status(running, "STOPPED")
        assert described(ecs, running)[running]["status"] == "STOPPED"


def test_continue_a_deployment_waiting_at_a_pause_hook(browser: Chrome) -> None:
    """A deployment waits at a PAUSE hook: its details offer "Continue hook"; clicking it
    answers the hook (SUCCEEDED in DescribeServiceDeployments), the deployment goes on
    IN_PROGRESS, and the hook's buttons go away."""
    pause = {"targetType": "PAUSE", "lifecycleStages": ["PRE_SCALE_UP"]}
    scenario = _scenario(
        {
            "service": "gate",
            "deployment_configuration": {"lifecycleHooks": [pause]},
            "deployments": [_finished("-2h", "-115m"), _planned("now", in_progress_for="30m")],
        }
    )
    with serving(browser, scenario) as (endpoint, ecs):
        arn = newest(ecs, "gate", "IN_PROGRESS")
        (hook,) = described(ecs, arn)[arn]["lifecycleHookDetails"]
        assert hook["status"] == "AWAITING_ACTION"
        page = open_page(browser, endpoint)
        page.select(arn)
        page.wait(lambda: page.shown("hook-continue"), '"Continue hook" is not shown')
        page.click("hook-continue")
        page.wait(
            lambda: not page.shown("hook-continue"), '"Continue hook" is still shown after it'
        )
        item = described(ecs, arn)[arn]
        assert [detail["status"] for detail in item["lifecycleHookDetails"]] == ["SUCCEEDED"]
        assert (item["status"], item["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
        assert page.status(arn) == "IN_PROGRESS"


# -- 5. the other controls -------------------------------------------------------------------


def test_plan_the_next_deployment(browser: Chrome) -> None:
    """A plan made on the page (roll back after 60 s in progress) is the one the next
    UpdateService follows: IN_PROGRESS at first, rolling back 90 s on (not still in progress,
    as the form's default of 600 s would have it), ROLLBACK_SUCCESSFUL in the end; the page
    shows the new deployment so."""
    with serving(browser) as (endpoint, ecs):
        ecs.create_cluster(clusterName="prod")
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
        )
        service_arn = ecs.create_service(
            cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1
        )["service"]["serviceArn"]
        page = open_page(browser, endpoint)
        page.wait_for_rows(1)
        page.choose("plan-service", service_arn)
        page.choose("plan-outcome", "ROLLBACK_SUCCESSFUL")
        page.type_into("plan-in-progress", "60")
        page.click("plan-submit")
        page.wait_for_message()

        ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
        arn = newest(ecs, "web")
        assert described(ecs, arn)[arn]["status"] == "IN_PROGRESS"
        endpoint.advance(90)
        assert described(ecs, arn)[arn]["status"] == "ROLLBACK_IN_PROGRESS"
        endpoint.advance(600)
        assert described(ecs, arn)[arn]["status"] == "ROLLBACK_SUCCESSFUL"
        page.wait_for_status(arn, "ROLLBACK_SUCCESSFUL")


def test_inject_an_error(browser: Chrome) -> None:
    """An error injected on the page (AccessDeniedException, once) is what the next
    ListServiceDeployments gets; the call after it succeeds."""
    with serving(browser, DEPLOYING) as (endpoint, _):
        page = open_page(browser, endpoint)
        page.type_into("error-operation", "ListServiceDeployments")
        page.type_into("error-code", "AccessDeniedException")
        page.type_into("error-times", "1")
        page.click("error-submit")
        page.wait_for_message()

        ecs = ecs_client(endpoint, config=Config(retries={"total_max_attempts": 1}))
        with pytest.raises(ClientError) as refused:
            ecs.list_service_deployments(cluster="prod", service="web")
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
        assert (
            len(ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"])
            == 2
        )


def test_load_a_scenario_file(browser: Chrome) -> None:
    """A scenario file chosen on the page and loaded: its service and deployments appear, with
    the statuses ListServiceDeployments answers."""
    with serving(browser) as (endpoint, ecs):
        page = open_page(browser, endpoint)
        assert page.rows() == {}
        page.driver.find_element(By.ID, "scenario-file").send_keys(
            str(ROOT / "examples" / "scenarios" / "rollback.yaml")
        )
        page.click("scenario-load")
        rows = page.wait_for_rows(3)
        statuses = listed(ecs, "prod", "web")
        assert {arn: row["status"] for arn, row in rows.items()} == statuses
        assert sorted(statuses.values()) == ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]


def test_download_the_state(browser: Chrome, downloads: Path, tmp_path: Path) -> None:
    """Clicking "Download state" saves mock-ecs-state.json: the state as a scenario, which
    loads back into an emptied server with the same deployments and statuses."""
    saved = downloads / "mock-ecs-state.json"
    saved.unlink(missing_ok=True)
    with serving(browser) as (endpoint, ecs):  # no start scenario: a reset empties it
        endpoint.load_scenario(DEPLOYING)
        statuses = listed(ecs, "prod", "web")
        page = open_page(browser, endpoint)
        page.click("download-state")
        page.wait(lambda: saved.is_file() and saved.stat().st_size > 0, f"no {saved}")
        kept = tmp_path / saved.name
        shutil.move(saved, kept)
        json.loads(kept.read_text(encoding="utf-8"))  # a whole JSON document

        endpoint.reset()
        page.wait_for_rows(0)
        assert endpoint.load_scenario(kept) == {"services": 1, "deployments": 2}
        assert listed(ecs, "prod", "web") == statuses
        page.wait_for_rows(2)


def test_reset_empties_the_page(browser: Chrome) -> None:
    """Clicking "Reset" forgets everything: the page shows no service and no deployment, and
    the mock holds none."""
    with serving(browser) as (endpoint, _):
        endpoint.load_scenario(ROOT / "examples" / "scenarios" / "mid_deploy.yaml")
        page = open_page(browser, endpoint)
        page.wait_for_rows(5)
        page.click("reset")
        page.wait(lambda: page.services() == [], "the services are still shown after Reset")
        assert endpoint.dump_scenario() == {"services": []}


# -- 6. accessibility ------------------------------------------------------------------------


def test_every_control_has_an_accessible_name(browser: Chrome) -> None:
    """Every button, field and select, those shown only for a selected deployment or a hook
    too, is named by a label, aria-label or aria-labelledby, or by its own text."""
    with serving(browser, DEPLOYING) as (endpoint, ecs):
        page = open_page(browser, endpoint)
        page.select(newest(ecs, "web", "IN_PROGRESS"))
        names = page.js(ACCESSIBLE_NAMES)
    ids = {element for element, _ in names}
    assert {f"button#{name}" for name in ("advance-60", "reset", "stop-rollback")} <= ids
    assert [element for element, name in names if not name] == []


def test_a_deployment_row_is_reached_and_selected_with_the_keyboard(browser: Chrome) -> None:
    """Tabbing from the top of the page reaches a deployment row, which shows a focus outline;
    Enter selects it and shows its details."""
    with serving(browser, DEPLOYING) as (endpoint, _):
        page = open_page(browser, endpoint)
        page.wait_for_rows(2)
        keys = ActionChains(page.driver)
        focused = ""
        for _ in range(80):
            keys.send_keys(Keys.TAB).perform()
            focused = page.js(
                "const a = document.activeElement;"
                "return a && a.classList.contains('deployment') ? a.dataset.deploymentArn : ''"
            )
            if focused:
                break
        assert focused, "Tab never reaches a deployment row"
        outline = page.js(
            "const s = getComputedStyle(document.activeElement);"
            "return [s.outlineStyle, parseFloat(s.outlineWidth)]"
        )
        assert outline[0] != "none" and outline[1] > 0, outline
        keys.send_keys(Keys.ENTER).perform()
        page.wait(
            lambda: (
                page.js(READ_SELECTED) == [[focused, True]]
                and focused in page.text("details-describe")
            ),
            "Enter on the focused row does not select it",
        )


def test_text_contrast_is_at_least_4_5(browser: Chrome) -> None:
    """Every text on the page (statuses on their colours, the details, the controls) has a
    contrast of at least 4.5:1 against what is behind it."""
    services = [
        {"service": f"s{index}", "deployments": [_finished("-2h", "-115m"), {"status": status}]}
        for index, status in enumerate(STATUSES)
    ]
    with serving(browser, _scenario(*services)) as (endpoint, ecs):
        page = open_page(browser, endpoint)
        page.select(newest(ecs, "s1"))
        page.click("advance-60")
        page.wait_for_message()
        result = page.js(CONTRAST)
    assert result["checked"] > 50, result
    assert result["failures"] == [], "\n".join(map(str, result["failures"]))


# -- 7. privacy ------------------------------------------------------------------------------


def test_nothing_leaves_the_machine(browser: Chrome) -> None:
    """Everything the page loads, and every address it names, is the server's own (or data
    the page made itself)."""
    with serving(browser, DEPLOYING) as (endpoint, ecs):
        page = open_page(browser, endpoint)
        page.select(newest(ecs, "web", "IN_PROGRESS"))
        page.click("advance-60")
        page.wait_for_message()
        seen = page.js(ADDRESSES)
    assert seen["requested"], "the page requested nothing: not even the picture?"
    foreign = [
        address
        for address in seen["requested"] + seen["named"]
        if not (address.startswith(seen["origin"] + "/") or address.startswith(("data:", "blob:")))
    ]
    assert foreign == []


# -- 8. scale --------------------------------------------------------------------------------

#: Counts the rows from now on, and notes when the page first shows ``arguments[0]`` of them.
WATCH_ROWS = """
window.rowsShownAt = null;
performance.setResourceTimingBufferSize(100000);
new MutationObserver((_, observer) => {
  if (document.querySelectorAll('.deployment').length >= arguments[0]) {
    window.rowsShownAt = performance.now();
    observer.disconnect();
  }
}).observe(document.getElementById('services'), {childList: true, subtree: true});
"""
#: When the picture that was drawn arrived: the last one received before the rows showed.
PICTURE_ARRIVED = """
const pictures = performance.getEntriesByType('resource')
  .filter((entry) => new URL(entry.name).pathname === '/mock-ecs-deployments/picture'
    && entry.responseEnd <= window.rowsShownAt);
return pictures.length ? pictures[pictures.length - 1].responseEnd : null;
"""


def test_two_hundred_deployments_show_within_a_second(browser: Chrome) -> None:
    """A service with 200 deployments: the page draws it in under a second, and shows its 200
    rows within a second of receiving the picture."""
    history = {
        "repeat": 200,
        "every": "10m",
        "created_at": "-40h",
        "finished_at": "-39h55m",
        "status": "SUCCESSFUL",
    }
    with serving(browser) as (endpoint, ecs):
        page = open_page(browser, endpoint)
        page.js(WATCH_ROWS, 200)
        endpoint.load_scenario(_scenario({"service": "web", "deployments": [history]}))
        rows = page.wait_for_rows(200)
        shown_at = page.wait(lambda: page.js("return window.rowsShownAt"), "rows never counted")
        arrived = page.js(PICTURE_ARRIVED)
        assert arrived is not None
        assert shown_at - arrived < 1000, f"200 rows took {shown_at - arrived:.0f} ms to show"
        assert page.js("return window.lastRenderMs") < 1000
        assert {row["status"] for row in rows.values()} == {"SUCCESSFUL"}
        assert len(listed(ecs, "prod", "web")) == 200


# -- 9. daemons -----------------------------------------------------------------------------


def test_a_daemon_s_deployments_are_rows_of_their_own_after_the_services(browser: Chrome) -> None:
    """A daemon made 3 hours before the services: under "Daemons", after the services, its
    deployments are rows on the same axis (the first begins inside it). An update planned to
    roll back shows, as DescribeDaemonDeployments answers, IN_PROGRESS, ROLLBACK_IN_PROGRESS,
    ROLLBACK_SUCCESSFUL; its bars are the stretches of its statuses at their times, in their
    statuses' colours, its rollback and end are marked. Selected, it shows its
    DescribeDaemonDeployments answer and its events, and no stop or continue; the page's own
    controls stay. Emptied, the page says it holds nothing again."""
    with serving(browser) as (endpoint, ecs):
        page = open_page(browser, endpoint)
        page.wait(lambda: "holds no services" in page.text("services"), "no empty message")
        assert page.daemons()["title"] is None
        endpoint.load_scenario(DAEMON)
        endpoint.advance(3 * 3600)
        endpoint.load_scenario(DEPLOYING)
        (summary,) = ecs.list_daemons(clusterArn="prod")["daemonSummariesList"]
        daemon_arn = summary["daemonArn"]
        (first,) = ecs.list_daemon_deployments(daemonArn=daemon_arn)["daemonDeployments"]
        next_definition = ecs.describe_daemon_task_definition(daemonTaskDefinition="agent:2")
        endpoint.plan_next_deployment(
            daemon="agent",
            cluster="prod",
            outcome="ROLLBACK_SUCCESSFUL",
            in_progress_for=60,
            rollback_for=60,
        )
        arn = ecs.update_daemon(
            daemonArn=daemon_arn,
            daemonTaskDefinitionArn=next_definition["daemonTaskDefinition"][
                "daemonTaskDefinitionArn"
            ],
            capacityProviderArns=[
                daemon_arn.replace("daemon/prod/agent", "capacity-provider/managed")
            ],
        )["deploymentArn"]

        def answered() -> dict[str, Any]:
            (item,) = ecs.describe_daemon_deployments(daemonDeploymentArns=[arn])[
                "daemonDeployments"
            ]
            return dict(item)

        assert answered()["status"] == "IN_PROGRESS"
        page.wait_for_daemon_status(arn, "IN_PROGRESS")
        page.wait_for_rows(2)  # the services' rows are as they were
        endpoint.advance(60)  # the batches end at 60 s: the breaker trips, the rollback starts
        page.wait_for_daemon_status(arn, "ROLLBACK_IN_PROGRESS")
        assert answered()["status"] == "ROLLBACK_IN_PROGRESS"
        endpoint.advance(60)
        row = page.wait_for_daemon_status(arn, "ROLLBACK_SUCCESSFUL")
        aws = answered()
        assert aws["status"] == "ROLLBACK_SUCCESSFUL"

        shown = page.daemons()
        assert (shown["title"], shown["afterServices"]) == ("Daemons", True)
        (section,) = shown["daemons"]
        assert (section["arn"], section["inGroup"]) == (daemon_arn, True)
        for part in ("agent", "prod", "us-east-1", "123456789012"):
            assert part in section["heading"], section["heading"]
        assert [r["arn"] for r in section["rows"]] == [first["daemonDeploymentArn"], arn]
        assert {r["kind"] for r in section["rows"]} == {"daemon"}
        assert arn.rpartition("/")[2] in row["label"] and "ROLLBACK_SUCCESSFUL" in row["label"]
        ((_, drawn),) = [d["deployments"] for d in endpoint.picture()["daemons"]]
        assert [bar["status"] for bar in row["bars"]] == [
            "PENDING",
            "IN_PROGRESS",
            "STOP_REQUESTED",
            "ROLLBACK_IN_PROGRESS",
            "ROLLBACK_SUCCESSFUL",
        ]
        assert [bar["title"] for bar in row["bars"]] == bar_titles(drawn)
        # The stretches begin and end where DescribeDaemonDeployments says it moved.
        starts = {segment["name"]: segment["start_ms"] for segment in drawn["segments"]}
        assert starts["IN_PROGRESS"] == epoch_ms(aws["startedAt"])
        assert starts["ROLLBACK_IN_PROGRESS"] == epoch_ms(aws["rollback"]["startedAt"])
        assert starts["ROLLBACK_SUCCESSFUL"] == epoch_ms(aws["finishedAt"])
        assert (row["cap"], row["marks"]) == ("ROLLBACK_SUCCESSFUL", ["rollback", "finished"])
        for bar in row["bars"] + section["rows"][0]["bars"]:
            assert rgb(bar["fill"]) == rgb(bar["property"]), bar
        # One axis for both kinds: the daemon's first deployment, the oldest, is inside it.
        assert section["rows"][0]["bars"][0]["x"] >= 0, section["rows"][0]["bars"]

        page.select(arn)
        assert page.text("details-describe-title") == "DescribeDaemonDeployments"
        described = json.loads(page.text("details-describe"))
        assert (described["daemonDeploymentArn"], described["status"]) == (arn, aws["status"])
        assert described["rollback"]["reason"] == aws["rollback"]["reason"]
        events = page.text("details-events")
        assert "ECS Daemon Deployment State Change" in events
        assert "DAEMON_DEPLOYMENT_ROLLBACK_SUCCESSFUL" in events
        hidden = ("details-actions", "stop-rollback", "stop-abort", "hook-continue")
        assert [name for name in hidden if page.shown(name)] == []
        assert all(page.shown(name) for name in ("advance-60", "reset", "scenario-load"))

        # A service's row selected after it offers its controls again.
        page.select(newest(ecs, "web", "IN_PROGRESS"))
        assert page.text("details-describe-title") == "DescribeServiceDeployments"
        assert page.shown("details-actions") and page.shown("stop-rollback")

        page.click("reset")
        page.wait(
            lambda: (
                page.daemons()["title"] is None and "holds no services" in page.text("services")
            ),
            "the daemons are still shown after Reset, or the empty message is not",
        )


def test_show_html_draws_a_daemon_offline(browser: Chrome, tmp_path: Path) -> None:
    """``show --html`` of a scenario with a service and a daemon: the file draws the daemon's
    deployment under "Daemons" with the status and stretches the picture inlined holds, and
    selected, its DescribeDaemonDeployments answer, with no control in sight and nothing
    loaded."""
    from freezegun import freeze_time

    from mock_ecs_deployments import cli

    scenario = tmp_path / "daemon.json"
    scenario.write_text(json.dumps({**DAEMON, "services": DEPLOYING["services"]}), encoding="utf-8")
    out = tmp_path / "daemon.html"
    with freeze_time("2025-03-01T12:00:00Z"):
        assert cli.main(["show", "--html", str(out), str(scenario)]) == 0
    document = out.read_text(encoding="utf-8")
    start = document.index('id="picture-data"')
    picture = json.loads(
        document[document.index(">", start) + 1 : document.index("</script>", start)]
    )
    ((drawn,),) = [daemon["deployments"] for daemon in picture["daemons"]]
    assert drawn["status"] == "IN_PROGRESS"

    browser.get(out.as_uri())
    page = Page(browser)
    page.wait(lambda: page.js("return window.renderCount > 0"), "the page never drew itself")
    assert page.js("return document.body.dataset.mode") == "file"
    assert len(page.rows()) == 2  # the service's
    shown = page.daemons()
    assert (shown["title"], shown["afterServices"]) == ("Daemons", True)
    ((row,),) = [section["rows"] for section in shown["daemons"]]
    assert (row["arn"], row["status"]) == (drawn["arn"], "IN_PROGRESS")
    assert "IN_PROGRESS" in row["text"]
    assert [bar["status"] for bar in row["bars"]] == ["PENDING", "IN_PROGRESS"]
    assert [bar["title"] for bar in row["bars"]] == bar_titles(drawn)
    page.select(drawn["arn"])
    assert page.text("details-describe-title") == "DescribeDaemonDeployments"
    assert json.loads(page.text("details-describe")) == drawn["describe"]
    shown_controls = [
        name for name in ("controls", "details-actions", *CONTROL_IDS) if page.shown(name)
    ]
    assert shown_controls == [], f"the file shows controls: {shown_controls}"
    assert page.js("return performance.getEntriesByType('resource').map((e) => e.name)") == []


# -- 10. the report file ---------------------------------------------------------------------


def test_the_report_file_works_offline(browser: Chrome, tmp_path: Path) -> None:
    """``render_page(build_picture())`` written to a file and opened from disk: the rows and
    their statuses (as ListServiceDeployments answered), in file mode, no control in sight,
    and not one request made."""
    with mock_service_deployments() as mock:
        mock.load_scenario(ROLLED_BACK)
        statuses = listed(new_client(), "prod", "web")
        report = tmp_path / "report.html"
        report.write_text(render_page(build_picture()), encoding="utf-8")
    browser.get(report.as_uri())
    page = Page(browser)
    page.wait(lambda: page.js("return window.renderCount > 0"), "the report never drew itself")
    assert page.js("return document.body.dataset.mode") == "file"
    assert page.js("return document.querySelector('h1').innerText") == (
        "mock_ecs_deployments mock-ecs-deployments"  # render_page's default title
    )
    rows = page.rows()
    assert {arn: row["status"] for arn, row in rows.items()} == statuses
    assert all(row["status"] in row["text"] for row in rows.values())
    (rolled_back,) = (arn for arn, status in statuses.items() if status == "ROLLBACK_SUCCESSFUL")
    page.select(rolled_back)
    shown = [name for name in ("controls", "details-actions", *CONTROL_IDS) if page.shown(name)]
    assert shown == [], f"the report shows controls: {shown}"
    assert page.js("return performance.getEntriesByType('resource').map((e) => e.name)") == []
    page.screenshot("report.png")


def test_show_html_draws_each_file_s_services_apart(browser: Chrome, tmp_path: Path) -> None:
    """``show --html`` over every example: each file has a prod/web in us-east-1, and each is a
    section of its own, labelled with its file, holding that file's rows."""
    from freezegun import freeze_time

    from mock_ecs_deployments import cli

    out = tmp_path / "examples.html"
    with freeze_time("2025-03-01T12:00:00Z"):
        assert cli.main(["show", "--html", str(out), *map(str, EXAMPLES)]) == 0
    document = out.read_text(encoding="utf-8")
    start = document.index('id="picture-data"')
    picture = json.loads(
        document[document.index(">", start) + 1 : document.index("</script>", start)]
    )
    browser.get(out.as_uri())
    page = Page(browser)
    page.wait(lambda: page.js("return window.renderCount > 0"), "the page never drew itself")
    sections = page.services()
    assert len(sections) == len(picture["services"])
    for section, service in zip(sections, picture["services"], strict=True):
        assert section["arn"] == service["arn"]
        assert f"from {service['source']}" in section["heading"]
        assert [row["arn"] for row in section["rows"]] == [d["arn"] for d in service["deployments"]]


def test_the_page_a_failing_test_leaves_opens_offline(
    browser: Chrome, pytester: pytest.Pytester
) -> None:
    """A run with ``--mock-ecs-report`` whose test fails: the HTML file it leaves opens from
    disk and shows the rows the failing test listed, with their statuses, loading nothing."""
    from .test_failure_report import WAYS, _run, _seen, _write_tests

    _write_tests(pytester, WAYS["decorator"])
    reports = pytester.path / "reports"
    _run(pytester, f"--mock-ecs-report={reports}").assert_outcomes(failed=1)
    listed = dict(map(tuple, _seen(pytester, "decorator")["listed"]))
    browser.get((reports / "test_generated.py__test_it.html").as_uri())
    page = Page(browser)
    page.wait(lambda: page.js("return window.renderCount > 0"), "the report never drew itself")
    assert page.js("return document.body.dataset.mode") == "file"
    # The page says which test it is the state of.
    assert page.js("return document.querySelector('.subtitle').innerText") == (
        "test_generated.py::test_it"
    )
    assert {arn: row["status"] for arn, row in page.rows().items()} == listed
    assert page.js("return performance.getEntriesByType('resource').map((e) => e.name)") == []
