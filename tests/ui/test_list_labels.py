"""List filters label each box once; the generated filter starts at all; generated rows are marked."""

import pytest
from django.urls import reverse

from tests.factories import DelegatedPowerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def powers():
    real = DelegatedPowerFactory(item__name="食品经营许可")
    generated = DelegatedPowerFactory(town=real.town, item__name="生成事项", is_generated=True)
    return real, generated


@pytest.fixture
def clerk(client, powers):
    client.force_login(UserFactory(region=powers[0].town.county))
    return client


def test_filter_labels_are_not_chains_of_relations(clerk):
    form = clerk.get(reverse("delegation:powers_list")).context["filter"].form
    labels = [str(field.label) for field in form.fields.values()]
    assert "权力类型" in labels
    assert not [label for label in labels if label.startswith("下放事项 ")]


def test_generated_filter_starts_at_all(clerk):
    form = clerk.get(reverse("delegation:powers_list")).context["filter"].form
    choices = [str(label) for _value, label in form.fields["is_generated"].widget.choices]
    assert choices == ["全部", "是", "否"]


def test_generated_rows_are_marked_in_the_list_and_on_their_page(clerk, powers):
    real, generated = powers
    page = clerk.get(reverse("delegation:powers_list")).content.decode()
    assert page.count('class="generated-badge"') == 1
    detail = clerk.get(reverse("delegation:powers_detail", args=[generated.pk])).content.decode()
    assert "按文件给出的总数生成" in detail
    assert "按文件给出的总数生成" not in clerk.get(reverse("delegation:powers_detail", args=[real.pk])).content.decode()
