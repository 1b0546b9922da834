"""The product page's questions and public journals, rendered once per page content version
(``reviews.cache.page_content_version``): every change they show is on the next request."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from feedback.models import ContentType, ModerationItem
from feedback.services import moderation_approve, moderation_reject
from reviews import progress, qa
from reviews.models import Question
from shop.accounts.tests.factories import ExpertFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _screen_everything(settings):
    settings.MODERATION_AUTO_APPROVE = False


@pytest.fixture
def product(db):
    return ProductFactory(slug="asked")


def _decide(content_type, content_id, by, approve=True):
    item = ModerationItem.objects.get(content_type=content_type, content_id=content_id)
    (moderation_approve if approve else moderation_reject)(item=item, by=by)


def _page(client):
    return client.get("/p/asked/").content.decode()


def test_questions_and_answers_follow_moderation_votes_verification_and_deletion(
    client, product, staff_user, run_on_commit
):
    asker, helper, expert = UserFactory(), UserFactory(), ExpertFactory()
    question = qa.question_create(user=asker, product_id=product.pk, question="Does it pill under sunscreen?")
    assert "No questions yet." in _page(client)

    _decide(ContentType.QUESTION, question.pk, staff_user)
    assert "Does it pill under sunscreen?" in _page(client) and "No answer yet." in _page(client)

    plain = qa.answer_create(user=helper, question_id=question.pk, answer="Not for me.")
    expert_answer = qa.answer_create(user=expert, question_id=question.pk, answer="Wait a minute between them.")
    _decide(ContentType.ANSWER, plain.pk, staff_user)
    assert "Not for me." in _page(client) and "Wait a minute" not in _page(client)

    _decide(ContentType.ANSWER, expert_answer.pk, staff_user)
    html = _page(client)
    assert html.index("Wait a minute") < html.index("Not for me.")  # expert answers first

    qa.answer_verify(answer_id=plain.pk, by=staff_user)
    assert "Verified answer" in _page(client)

    _decide(ContentType.ANSWER, plain.pk, staff_user, approve=False)
    assert "Not for me." not in _page(client)

    Question.objects.get(pk=question.pk).delete()  # as the admin deletes it
    assert "Does it pill under sunscreen?" not in _page(client)


def test_journals_follow_entries_visibility_and_the_notes_decision(client, product, staff_user, run_on_commit):
    owner = UserFactory(skin_type="dry")
    journal = progress.progress_start(user=owner, product_id=product.pk, goals="Fewer dry patches")
    assert "Progress journals" not in _page(client)

    progress.progress_update_visibility(user=owner, journal_id=journal.pk, is_public=True)
    html = _page(client)
    assert "A shopper with Dry skin" in html and "No weekly entries yet." in html
    assert "Fewer dry patches" not in html  # waits for moderation

    progress.progress_entry_add(
        user=owner, journal_id=journal.pk, week_number=1, overall_satisfaction=3, skin_improvement=3
    )
    assert "1 week recorded" in _page(client)

    _decide(ContentType.PROGRESS_NOTE, journal.pk, staff_user)
    assert "Fewer dry patches" in _page(client)

    owner.delete()
    assert "Progress journals" not in _page(client)


def test_a_warm_product_page_with_questions_and_journals_runs_no_statement(
    client, product, staff_user, run_on_commit, django_assert_num_queries
):
    question = qa.question_create(user=UserFactory(), product_id=product.pk, question="Is it fragrance free?")
    _decide(ContentType.QUESTION, question.pk, staff_user)
    owner = UserFactory()
    journal = progress.progress_start(user=owner, product_id=product.pk, is_public=True)
    progress.progress_entry_add(
        user=owner, journal_id=journal.pk, week_number=1, overall_satisfaction=4, skin_improvement=3
    )
    cold = _page(client)

    with django_assert_num_queries(0):
        warm = _page(client)
    cache.clear()
    fresh = _page(client)

    assert "Is it fragrance free?" in warm and "1 week recorded" in warm
    assert TOKEN.sub("", warm) == TOKEN.sub("", cold) == TOKEN.sub("", fresh)


def test_the_ask_form_keeps_each_shoppers_skin_type_and_csrf_token(product):
    readers = []
    for skin_type in ("oily", "dry"):
        reader = Client()
        reader.force_login(UserFactory(skin_type=skin_type))
        readers.append((reader, skin_type))

    for reader, skin_type in readers * 2:
        html = _page(reader)
        assert f'<option value="{skin_type}" selected>' in html
        ask = html[html.index('action="/reviews/ask/') :]
        token = TOKEN.search(ask).group(1)
        from django.middleware.csrf import _unmask_cipher_token

        assert _unmask_cipher_token(token) == reader.cookies["csrftoken"].value
    assert "Sign in to ask a question" in _page(Client())
