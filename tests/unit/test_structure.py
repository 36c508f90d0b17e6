"""The shape of the house: component manifests that hold together, layers, sizes, no cycles.

`make lint` checks the import contracts (.importlinter); these tests check what import-linter cannot.
"""

import ast
import re

import grimp
import pytest
from flask import url_for

from plaza import components
from plaza.permissions import can, rules
from tests.conftest import REPOSITORY_ROOT

PLATFORM = REPOSITORY_ROOT / "platform" / "plaza"
MAX_LINES = 400


def _python_files():
    return sorted(PLATFORM.rglob("*.py"))


def test_no_module_is_longer_than_the_limit():
    long = {str(path.relative_to(PLATFORM)): count for path in _python_files()
            if (count := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules (at most {MAX_LINES} lines each)"


def test_services_raise_rule_errors_not_http_errors():
    offenders = []
    for path in PLATFORM.glob("*/services.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("werkzeug.exceptions",
                                                                                             "flask")):
                names = [alias.name for alias in node.names if alias.name in {"abort", "NotFound", "HTTPException"}]
                offenders += [f"{path.relative_to(PLATFORM)} imports {name}" for name in names]
            if isinstance(node, ast.Attribute) and node.attr in {"first_or_404", "get_or_404", "one_or_404"}:
                offenders.append(f"{path.relative_to(PLATFORM)} calls {node.attr}")
    assert offenders == []


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), over every import in the code."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith("plaza"):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others():
    # Imports under `if TYPE_CHECKING:` never run, so they make no cycle.
    assert _cycles(grimp.build_graph("plaza", exclude_type_checking_imports=True)) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("plaza.a", "plaza.b", "plaza.c"):
        graph.add_module(name)
    graph.add_import(importer="plaza.a", imported="plaza.b")
    graph.add_import(importer="plaza.b", imported="plaza.a")
    graph.add_import(importer="plaza.b", imported="plaza.c")
    assert _cycles(graph) == [["plaza.a", "plaza.b"]]


def test_every_installed_package_has_a_manifest_with_its_own_key():
    manifests = components.manifests()
    assert [manifest.key for manifest in manifests] == [package.rsplit(".", 1)[1]
                                                       for package in components.INSTALLED]


def test_every_dotted_name_in_a_manifest_resolves():
    for manifest in components.manifests():
        names = [mount.blueprint for mount in manifest.mounts] + [panel.context for panel in manifest.panels.values()]
        names += [name for name in (manifest.personal_data, manifest.setup, manifest.now) if name]
        for name in names:
            assert components.resolve(name) is not None, f"{manifest.key}: {name}"
        for module in manifest.models:
            components.resolve(module)


def test_every_panel_names_a_shared_page_and_a_template_that_exists(app):
    for manifest in components.manifests():
        for page, panel in manifest.panels.items():
            assert page in components.PAGES, f"{manifest.key}: no shared page {page!r}"
            assert panel.slot in {"header", "main"}, f"{manifest.key}: no slot {panel.slot!r}"
            app.jinja_env.get_template(panel.template)  # raises TemplateNotFound


def test_links_and_exports_name_real_pages_and_real_actions(app):
    actions = rules()
    with app.test_request_context("/"):
        for link in [*components.organiser_links(), *components.open_data()]:
            assert link.action in actions, link
            assert url_for(link.endpoint, slug="any"), link  # raises BuildError for an unknown endpoint


def test_every_outbox_event_an_area_records_is_declared_in_its_manifest():
    recorded = re.compile(r"""outbox\.record\(\s*["']([a-z_.]+)["']""")
    for manifest, package in zip(components.manifests(), components.INSTALLED, strict=True):
        folder = PLATFORM / package.rsplit(".", 1)[1]
        kinds = {kind for path in folder.rglob("*.py") for kind in recorded.findall(path.read_text())}
        assert kinds <= set(manifest.events), f"{manifest.key} records undeclared events {kinds - set(manifest.events)}"


@pytest.mark.parametrize("package", components.INSTALLED)
def test_an_area_never_imports_another_areas_views(package):
    graph = grimp.build_graph("plaza")
    for module in graph.find_children(package) | {package}:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.endswith(".views") and not imported.startswith(package + "."):
                pytest.fail(f"{module} imports {imported}: compose pages through manifest panels instead")


def test_a_component_in_a_manifest_makes_its_pages_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for area in ("proposals", "comments", "meetings", "questionnaires", "voting", "notifications"):
        assert any(endpoint.startswith(f"process.{area}.") for endpoint in endpoints), area


def test_an_unknown_process_is_one_404_for_every_page_under_it(client):
    for path in ("/processes/nowhere", "/processes/nowhere/proposals/new", "/processes/nowhere/ballots/1",
                 "/processes/nowhere/meetings", "/processes/nowhere/questionnaire", "/processes/nowhere/manage"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.get_data(as_text=True), path


def test_a_nul_character_in_a_process_address_is_refused_before_any_lookup(client):
    response = client.get("/processes/a%00b/proposals/new")
    assert response.status_code == 400
    assert "null" in response.get_data(as_text=True)


def test_two_components_with_one_key_are_refused():
    with pytest.raises(RuntimeError, match="share the key"):
        components._load(("plaza.core", "plaza.core"))


def test_an_action_declared_by_two_components_is_refused(monkeypatch):
    proposals = next(manifest for manifest in components.manifests() if manifest.key == "proposals")
    monkeypatch.setattr(components, "manifests", lambda: (proposals, proposals))
    with pytest.raises(RuntimeError, match="declared by two components"):
        rules()


def test_an_unknown_action_is_a_bug_not_a_refusal():
    with pytest.raises(KeyError):
        can(None, "proposal.teleport")


def test_every_translatable_field_is_a_text_column_of_a_real_table(app):
    from plaza.extensions import db

    for manifest in components.manifests():
        for name in manifest.translatable:
            table, _, column = name.partition(".")
            assert table in db.metadata.tables, f"{manifest.key}: no table {table!r}"
            assert column in db.metadata.tables[table].columns, f"{manifest.key}: no column {name!r}"
