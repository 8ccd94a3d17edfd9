"""The ragbook Excel add-in, served for real: ``ragbook serve`` (uvicorn with
xlwings Server and ragbook's addin/ project) in a subprocess on 127.0.0.1,
called over HTTP as Excel's add-in would call it.

Each request uses a fresh connection: after a 500, uvicorn closes a kept-alive
connection and the next request on it would fail for that reason alone.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
import tomllib
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from PIL import Image

from conftest import DEMO_PLAN, ROOT, run_ragbook
from excel_payload import payload_from_workbook
from serving import Server, function_call, serve

ADDIN = ROOT / "addin"
SCRIPTS = {"recalculate_rag", "check_milestones", "build_appendix", "roll_forward"}
FUNCTIONS = {"rag", "direction", "milestone_due", "milestone_check"}
BUTTON_LABELS = {"Recalculate RAG", "Check milestones", "Build appendix", "Roll forward"}
NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
TOO_LARGE = ("The workbook sent is larger than this server accepts (10 MB); ask IT to raise "
             "RAGBOOK_MAX_REQUEST_MB, or run ragbook recalc on the file")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def token_server(tmp_path_factory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("serve-tokens"),
                      XLWINGS_AUTH_PROVIDERS='["custom"]', RAGBOOK_TOKENS="secret1")


@pytest.fixture(scope="module")
def demo_payload() -> bytes:
    return json.dumps(payload_from_workbook(DEMO_PLAN)).encode("utf-8")


def _manifest(server: Server) -> ET.Element:
    answer = server.get("/manifest")
    assert answer.status_code == 200
    return ET.fromstring(answer.content)


def _strings(manifest: ET.Element) -> dict[str, str]:
    return {s.get("id"): s.get("DefaultValue")
            for s in manifest.iterfind(".//bt:ShortStrings/bt:String", NS)}


def _ribbon_scripts(server: Server) -> dict[str, str]:
    """ribbon.js as served: its map of manifest <FunctionName> to script name."""
    answer = server.get("/static/js/ribbon.js")
    assert answer.status_code == 200
    block = re.search(r"RAGBOOK_RIBBON_SCRIPTS = \{(.*?)\};", answer.text, re.S)
    assert block, "ribbon.js has no RAGBOOK_RIBBON_SCRIPTS map"
    return dict(re.findall(r'"([\w-]+)":\s*"(\w+)"', block.group(1)))


def _scripts_meta(server: Server) -> set[str]:
    answer = server.get("/xlwings/custom-scripts-meta")
    assert answer.status_code == 200
    return {entry["function_name"] for entry in answer.json()}


# --- the project folder itself ---------------------------------------------------------

@pytest.mark.parametrize(("package", "module", "names"), [
    ("custom_scripts", "ragbook.excel.scripts", SCRIPTS),
    ("custom_functions", "ragbook.excel.functions", FUNCTIONS),
])
def test_packages_import_exactly_the_contract_by_name(package, module, names):
    # Every name in custom_scripts can be called over HTTP: no star, no helpers.
    tree = ast.parse((ADDIN / package / "__init__.py").read_text(encoding="utf-8"))
    imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert len(imports) == 1 and isinstance(imports[0], ast.ImportFrom)
    assert imports[0].module == module
    assert {alias.name for alias in imports[0].names} == names
    assert all(alias.asname is None for alias in imports[0].names)
    defined = [node for node in tree.body if isinstance(node, ast.FunctionDef
                                                        | ast.AsyncFunctionDef | ast.ClassDef)]
    assert not defined


def test_icons_are_committed_at_the_manifest_sizes():
    for size in (16, 32, 64, 80):
        with Image.open(ADDIN / "static" / "images" / "icons" / f"ragbook-{size}.png") as icon:
            assert icon.size == (size, size)
            assert icon.mode == "RGBA"


def test_manifest_ids_are_ragbooks_own():
    config = tomllib.loads((ADDIN / "pyproject.toml").read_text(encoding="utf-8"))
    settings = config["tool"]["xlwings_server"]
    assert settings["project_name"] == "ragbook"
    assert settings["functions_namespace"] == "RAGBOOK"
    assert settings["enable_hotreload"] is False
    ids = [settings[f"manifest_id_{env}"] for env in ("dev", "qa", "uat", "staging", "prod")]
    assert all(uuid.UUID(text).version == 4 for text in ids)
    assert len(set(ids)) == 5
    # xlwings Server's defaults, the same for every installation:
    assert "4f342d85-3a49-41cb-90a5-37b1f2219040" not in ids


def test_env_example_documents_the_settings():
    text = (ADDIN / ".env.example").read_text(encoding="utf-8")
    assert "XLWINGS_LICENSE_KEY=noncommercial" in text
    assert "government institution" in text
    assert "XLWINGS_ENABLE_HOTRELOAD=false" in text
    for setting in ("XLWINGS_ENVIRONMENT", 'XLWINGS_AUTH_PROVIDERS=["custom"]',
                    'XLWINGS_AUTH_PROVIDERS=["entraid"]', "XLWINGS_AUTH_ENTRAID_CLIENT_ID",
                    "XLWINGS_AUTH_ENTRAID_TENANT_ID", "RAGBOOK_TOKENS", "RAGBOOK_MAX_REQUEST_MB",
                    "XLWINGS_HOSTNAME", "XLWINGS_CORS_ALLOW_ORIGINS"):
        assert setting in text, setting
    assert not (ADDIN / ".env").exists() or ".env" in (ADDIN / ".gitignore").read_text()


def test_project_dir_is_the_repositorys_addin_folder():
    from ragbook.excel.server import project_dir

    assert project_dir() == ADDIN


def test_a_folder_that_is_not_an_addin_project_is_refused(tmp_path):
    from ragbook.excel.server import AddinError, configure

    with pytest.raises(AddinError, match="custom_scripts"):
        configure(tmp_path)
    done = run_ragbook("serve", "--project", tmp_path / "nowhere")
    assert done.returncode == 2
    assert "no such folder" in done.stderr


@pytest.mark.parametrize(("machine", "expected"), [
    (None, "key-from-the-project"), ("key-from-the-machine", "key-from-the-machine")])
def test_a_licence_key_in_the_projects_env_wins_over_ragbooks_default(tmp_path, machine,
                                                                     expected):
    dotenv = tmp_path / "project.env"
    dotenv.write_text("XLWINGS_LICENSE_KEY=key-from-the-project\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("XLWINGS_", "RAGBOOK_"))}
    env["DOTENV_PATH"] = str(dotenv)
    if machine:
        env["XLWINGS_LICENSE_KEY"] = machine
    code = ("import os; from ragbook.excel import server; server.configure(); "
            "print(os.environ['XLWINGS_LICENSE_KEY'])")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == expected


# --- the running server -----------------------------------------------------------------

def test_manifest_names_ragbook_and_its_four_ribbon_buttons(server):
    manifest = _manifest(server)
    text = server.get("/manifest").text
    assert manifest.findtext("o:ProviderName", namespaces=NS) == "ragbook"
    assert manifest.find("o:DisplayName", NS).get("DefaultValue") == "ragbook"
    assert "council delivery plans" in manifest.find("o:Description", NS).get("DefaultValue")
    assert "xlwings.org" not in text
    assert "ProviderName>xlwings" not in text
    prod_id = tomllib.loads((ADDIN / "pyproject.toml").read_text())["tool"]["xlwings_server"][
        "manifest_id_prod"]
    assert manifest.findtext("o:Id", namespaces=NS) == prod_id
    support = manifest.find("o:SupportUrl", NS).get("DefaultValue")
    assert server.get(urlsplit(support).path).status_code == 200

    strings = _strings(manifest)
    assert strings["Functions.Namespace"] == "RAGBOOK"
    tab = manifest.find(".//v:CustomTab", NS)
    assert strings[tab.find("v:Label", NS).get("resid")] == "ragbook"
    controls = tab.findall(".//v:Control", NS)
    runs = {strings[c.find("v:Label", NS).get("resid")]: c.findtext(".//v:FunctionName",
                                                                     namespaces=NS)
            for c in controls if c.find("v:Action", NS).get(XSI_TYPE) == "ExecuteFunction"}
    assert set(runs) == BUTTON_LABELS
    shows = [strings[c.find("v:Label", NS).get("resid")] for c in controls
             if c.find("v:Action", NS).get(XSI_TYPE) == "ShowTaskpane"]
    assert shows == ["Show task pane"]
    assert set(runs.values()) == set(_ribbon_scripts(server))


def test_manifest_icons_are_ragbooks_and_are_served(server):
    manifest = _manifest(server)
    urls = [manifest.find("o:IconUrl", NS).get("DefaultValue"),
            manifest.find("o:HighResolutionIconUrl", NS).get("DefaultValue")]
    urls += [image.get("DefaultValue") for image in manifest.iterfind(".//bt:Images/bt:Image", NS)]
    assert len(urls) == 5
    for url in urls:
        path = urlsplit(url).path
        assert re.fullmatch(r"/static/images/icons/ragbook-(16|32|64|80)\.png", path), url
        answer = server.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/png"
        size = int(path.rsplit("-", 1)[1].removesuffix(".png"))
        assert Image.open(io.BytesIO(answer.content)).size == (size, size)


def test_the_server_offers_exactly_the_four_scripts_and_functions(server):
    assert _scripts_meta(server) == SCRIPTS
    answer = server.get("/xlwings/custom-functions-meta")
    assert answer.status_code == 200
    assert {entry["name"] for entry in answer.json()["functions"]} == {f.upper() for f in FUNCTIONS}


def test_task_pane_buttons_run_scripts_the_server_has(server):
    answer = server.get("/taskpane.html")
    assert answer.status_code == 200
    page = answer.text
    clicks = re.findall(r'xw-click="([^"]*)"', page)
    assert sorted(clicks) == sorted(SCRIPTS)
    assert set(clicks) <= _scripts_meta(server)
    for label in BUTTON_LABELS:
        assert f">{label}</button>" in page
    assert 'id="global-error-alert"' in page  # where script errors appear
    assert 'id="ragbook-status"' in page
    assert "ragbook-token" not in page  # no token field without access tokens


def test_ribbon_buttons_run_scripts_the_server_has(server):
    ribbon = _ribbon_scripts(server)
    assert set(ribbon.values()) == SCRIPTS
    assert set(ribbon.values()) <= _scripts_meta(server)
    assert "xlwings.runPython" in server.get("/static/js/ribbon.js").text


def test_recalculate_rag_on_the_demo_plan_answers_with_actions(server, demo_payload):
    answer = server.post("/xlwings/custom-scripts-call/recalculate_rag", content=demo_payload,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    actions = answer.json()["actions"]
    assert isinstance(actions, list) and actions
    assert all(isinstance(action, dict) and "func" in action for action in actions)
    written = [value for action in actions if action["func"] == "setValues"
               for row in action["values"] for value in row]
    assert {"R", "A", "G"} <= set(written)


def test_a_streamed_workbook_within_the_limit_gets_through(server, demo_payload):
    def streamed() -> Iterator[bytes]:  # chunked, no Content-Length
        for start in range(0, len(demo_payload), 16 * 1024):
            yield demo_payload[start:start + 16 * 1024]

    answer = server.post("/xlwings/custom-scripts-call/check_milestones", content=streamed(),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert isinstance(answer.json()["actions"], list)


def test_the_rag_function(server):
    answer = server.post("/xlwings/custom-functions-call",
                         json=function_call("rag", 72, 90, "Higher is better"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == [["R"]]


@pytest.mark.parametrize("name", ["recalculate_everything", "__doc__", "_rate"])
def test_an_unknown_script_is_404_naming_the_scripts(server, demo_payload, name):
    # xlwings Server would answer a bare 500 (and call __doc__ if it could).
    answer = server.post(f"/xlwings/custom-scripts-call/{name}", content=demo_payload,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 404
    detail = answer.json()["detail"]
    assert f"There is no ragbook script called '{name}'" in detail
    for script in SCRIPTS:
        assert script in detail


def test_an_oversized_workbook_is_413_with_advice(server):
    too_big = b" " * (10 * 1024 * 1024 + 1)
    answer = server.post("/xlwings/custom-scripts-call/recalculate_rag", content=too_big,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json() == {"detail": TOO_LARGE}

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(11):
            yield b" " * (1024 * 1024)

    answer = server.post("/xlwings/custom-scripts-call/recalculate_rag", content=streamed(),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json() == {"detail": TOO_LARGE}
    assert server.get("/").status_code == 200


def test_access_tokens_are_checked(token_server, demo_payload):
    call = "/xlwings/custom-scripts-call/recalculate_rag"
    headers = {"Content-Type": "application/json"}
    for token in (None, "", "test-token", "secret", "secret1x", "Bearer test-token"):
        sent = headers if token is None else {**headers, "Authorization": token}
        answer = token_server.post(call, content=demo_payload, headers=sent)
        assert answer.status_code == 401, (token, answer.text)
    for token in ("secret1", "Bearer secret1"):
        answer = token_server.post(call, content=demo_payload,
                                   headers={**headers, "Authorization": token})
        assert answer.status_code == 200, (token, answer.text)
        assert answer.json()["actions"]


def test_access_tokens_also_guard_the_functions(token_server):
    body = function_call("rag", 72, 90, "Higher is better")
    assert token_server.post("/xlwings/custom-functions-call", json=body,
                             headers={"Authorization": "test-token"}).status_code == 401
    answer = token_server.post("/xlwings/custom-functions-call", json=body,
                               headers={"Authorization": "secret1"})
    assert answer.status_code == 200
    assert answer.json()["result"] == [["R"]]


def test_with_access_tokens_the_task_pane_asks_for_one(token_server):
    page = token_server.get("/taskpane.html").text
    assert 'id="ragbook-token"' in page


# --- what the officer and IT are shown ---------------------------------------------------

@pytest.mark.parametrize("path", ["/manifest", "/manifest.xml"])
def test_the_manifest_is_saved_as_manifest_xml(server, path):
    """Opened in a browser (as the README and help page say), the manifest is saved as the
    file that Upload My Add-in and the admin centre ask for, not shown as text."""
    answer = server.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == "attachment; filename=manifest.xml"
    assert answer.headers["content-type"].split(";")[0].strip() == "application/xml"
    assert ET.fromstring(answer.content).tag == f"{{{NS['o']}}}OfficeApp"


def test_the_manifest_download_route_keeps_its_name_and_is_xml(server):
    answer = server.get("/manifest/download")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == "attachment; filename=ragbook-prod.xml"
    assert answer.headers["content-type"].split(";")[0].strip() == "application/xml"


class _Page(HTMLParser):
    """A page's links (every href and src) and its text outside links."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._in_link = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src") and value]
        self._in_link += tag == "a"

    def handle_endtag(self, tag: str) -> None:
        self._in_link -= tag == "a" and self._in_link > 0

    def handle_data(self, data: str) -> None:
        if not self._in_link:
            self.text.append(data)


def _page(server: Server, path: str) -> _Page:
    answer = server.get(path)
    assert answer.status_code == 200
    page = _Page()
    page.feed(answer.text)
    return page


@pytest.mark.parametrize("path", ["/static/help.html", "/taskpane.html"])
def test_every_link_on_the_help_page_and_the_task_pane_works(server, path):
    page = _page(server, path)
    assert page.links
    for link in page.links:
        url = urljoin(server.url + path, link)
        parts = urlsplit(url)
        if parts.netloc != urlsplit(server.url).netloc:  # an external page: a real https URL
            assert parts.scheme == "https" and "." in parts.hostname, link
            continue
        answer = server.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert answer.status_code == 200, f"{path}: {link} -> {url} gives {answer.status_code}"


def test_the_help_page_names_no_file_it_does_not_link_to(server):
    """An officer cannot open README.md#section from a support page: a file named in the
    text must be a link that works (the test above)."""
    text = " ".join(" ".join(_page(server, "/static/help.html").text).split())
    named = re.findall(r"[\w./-]+\.(?:md|html?|xml|txt|pdf)(?:#[\w-]+)?\b", text)
    assert not named, f"help.html names {named} without linking to them"


def _meta_descriptions(server: Server) -> dict[str, str]:
    answer = server.get("/xlwings/custom-functions-meta")
    assert answer.status_code == 200
    found = {}
    for function in answer.json()["functions"]:
        found[function["name"]] = function["description"]
        for parameter in function["parameters"]:
            found[f"{function['name']}({parameter['name']})"] = parameter["description"]
    return found


def test_function_descriptions_are_plain_single_spaced_sentences(server):
    """Excel shows these in the formula bar's help: no docstring indentation or line breaks."""
    descriptions = _meta_descriptions(server)
    assert {name for name in descriptions if "(" not in name} == {f.upper() for f in FUNCTIONS}
    for name, text in descriptions.items():
        assert text and text == " ".join(text.split()), f"{name}: {text!r}"


def _check_milestones_sheet(server: Server, payload: bytes) -> tuple[str, set[str]]:
    """What Check milestones really does: the sheet it adds and the headings it writes."""
    answer = server.post("/xlwings/custom-scripts-call/check_milestones", content=payload,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    actions = answer.json()["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert len(added) == 1
    written = {str(value) for a in actions if a["func"] == "setValues"
               for row in a["values"] for value in row}
    return added[0], written


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_check_milestones_is_described_as_it_behaves(server, demo_payload):
    sheet, written = _check_milestones_sheet(server, demo_payload)
    assert sheet == "Problems"
    assert {"Place", "Milestones", "Not in the commentary"} <= written
    pane = server.get("/taskpane.html").text
    described = re.search(r">Check milestones</button>\s*</div>\s*<p[^>]*>(.*?)</p>", pane, re.S)
    assert described, "the task pane has no description under Check milestones"
    help_page = re.search(r"<strong>Check milestones</strong>(.*?)</li>",
                          server.get("/static/help.html").text, re.S)
    assert help_page, "help.html does not describe Check milestones"
    tooltip = _strings_long(_manifest(server))["CheckMilestonesButton.Tooltip"]
    for where, text in (("task pane", _plain(described.group(1))),
                        ("help.html", _plain(help_page.group(1))), ("ribbon tooltip", tooltip)):
        for words in (f"{sheet} sheet", "problem", "cell", "milestone", "commentary"):
            assert words in text, f"{where} says {text!r}: nothing about {words!r}"


def _strings_long(manifest: ET.Element) -> dict[str, str]:
    return {s.get("id"): s.get("DefaultValue")
            for s in manifest.iterfind(".//bt:LongStrings/bt:String", NS)}
