"""The design page shows every shared component, in the page's language."""

import pytest


@pytest.mark.parametrize("code", ["en", "ar"])
def test_design_page_shows_every_component_in_the_chosen_language(client, code):
    client.get(f"/language/{code}")
    response = client.get("/design")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{code}"' in page
    for marker in ['class="tag tag-green"', 'class="button-group"', 'class="now-panel"', 'class="stepper"',
                   'aria-current="step"', 'class="cards"', 'class="card-action"', '<progress class="progress"',
                   '<meter class="progress"', 'class="summary-list"', 'class="summary-actions"',
                   'class="responsive-table"', 'data-label=', 'code class="hash"', 'class="notice"',
                   'class="warning-text"', 'class="error-summary"', 'aria-invalid="true"',
                   'class="field field-checkbox"', 'class="choice"', 'class="project-card"',
                   'class="budget-total"', 'class="pagination"']:
        assert marker in page, marker


def test_footer_links_to_the_design_page(client):
    assert 'href="/design"' in client.get("/").get_data(as_text=True)
