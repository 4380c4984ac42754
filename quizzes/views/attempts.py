"""Taking a quiz on the front end: the quiz page, starting, one question per page, the answer
endpoint, the overview, submitting and the result.

Every page works without JavaScript (each question is a form; moving on saves the answer). With
it, ``quizzes/attempt.js`` saves each answer the moment it is given through ``attempt_answer``
(JSON) and counts down the server's remaining time. Before submission nothing here renders or
returns the answer key: pages get ``grading.public_question`` only; the key reaches a page only
through ``selectors.attempt_review``, which the result page calls when the review policy allows.

A person reaches only their own attempts: anyone else's is a 404, like one that does not exist.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from organization.models import Person

from .. import grading, selectors, services
from ..models import Attempt, Quiz


def _active_person(request) -> Person | None:
    person = getattr(request.user, "person", None)
    return person if person is not None and person.is_active else None


def _person_or_404(request) -> Person:
    person = _active_person(request)
    if person is None:
        raise Http404
    return person


def _quiz_or_404(request, quiz_id: int) -> Quiz:
    quiz = Quiz.objects.select_related("course").filter(pk=quiz_id).first()
    if quiz is None or not request.user.has_perm("quizzes.take_quiz", quiz):
        raise Http404
    return quiz


def _attempt_or_404(request, attempt_id: int, *, snapshot: bool = True) -> tuple[Person, Attempt]:
    person = _person_or_404(request)
    attempt = selectors.attempt_of_person(attempt_id=attempt_id, person=person, snapshot=snapshot)
    if attempt is None or not request.user.has_perm("quizzes.view_attempt", attempt):
        raise Http404
    return person, attempt


def _question_url(attempt: Attempt, number: int) -> str:
    return reverse("quizzes:attempt_question", args=[attempt.pk, number])


def _result_url(attempt: Attempt) -> str:
    return reverse("quizzes:attempt_result", args=[attempt.pk])


def _still_open(attempt: Attempt, person: Person, at) -> bool:
    """True while the attempt takes answers; an overdue one is closed here (lazily)."""
    if not attempt.is_open:
        return False
    if at > selectors.deadline_with_grace(attempt.deadline):
        services.attempts_close_overdue(at=at, person=person, quiz=attempt.quiz)
        return False
    return True


def _remaining_seconds(attempt: Attempt, at) -> int:
    return max(0, int((attempt.deadline - at).total_seconds()))


@require_safe
def my_quizzes(request):
    person = _active_person(request)
    quizzes = []
    if person is not None:
        quizzes = selectors.my_quizzes(person=person, at=timezone.now())
    return render(request, "quizzes/my_quizzes.html", {"person": person, "quizzes": quizzes})


@require_safe
def quiz_detail(request, quiz_id: int):
    """The quiz's rules, the person's attempts, and 开始考试 / 继续答题 when allowed."""
    person = _person_or_404(request)
    quiz = _quiz_or_404(request, quiz_id)
    now = timezone.now()
    services.attempts_close_overdue(at=now, person=person, quiz=quiz)
    availability = selectors.quiz_availability(quiz=quiz, person=person, at=now)
    return render(request, "quizzes/quiz_detail.html", {"quiz": quiz, "availability": availability})


@require_POST
def quiz_start(request, quiz_id: int):
    person = _person_or_404(request)
    quiz = _quiz_or_404(request, quiz_id)
    try:
        attempt = services.attempt_start(quiz=quiz, person=person)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("quizzes:quiz_detail", quiz_id=quiz.pk)
    responses = selectors.attempt_responses(attempt=attempt)
    first_open = next(
        (position for position in sorted(responses) if responses[position] is None), 0
    )
    return redirect(_question_url(attempt, first_open + 1))


def _response_from_form(question: dict, data) -> object:
    if question["kind"] == grading.MULTIPLE:
        return data.getlist("response")
    return data.get("response", "")


def _go_target(attempt: Attempt, go: str, number: int) -> str:
    count = attempt.question_count
    if go == "prev":
        return _question_url(attempt, max(number - 1, 1))
    if go == "next" and number < count:
        return _question_url(attempt, number + 1)
    if go.isascii() and go.isdigit() and 1 <= int(go) <= count:
        return _question_url(attempt, int(go))
    return reverse("quizzes:attempt_overview", args=[attempt.pk])


@require_http_methods(["GET", "HEAD", "POST"])
def attempt_question(request, attempt_id: int, number: int):
    """Question ``number`` (1-based). A POST saves the answer and moves on (``go``)."""
    person, attempt = _attempt_or_404(request, attempt_id)
    now = timezone.now()
    if not _still_open(attempt, person, now):
        return redirect(_result_url(attempt))
    questions = attempt.snapshot["questions"]
    if not 1 <= number <= len(questions):
        raise Http404
    question = questions[number - 1]
    error = None
    if request.method == "POST":
        try:
            services.attempt_answer_save(
                attempt=attempt,
                person=person,
                position=number - 1,
                response=_response_from_form(question, request.POST),
                at=now,
            )
        except services.AttemptClosed as closed:
            messages.warning(request, closed.messages[0])
            return redirect(_result_url(attempt))
        except ValidationError as invalid:
            error = invalid.messages[0]
        else:
            return redirect(_go_target(attempt, request.POST.get("go", "next"), number))
    responses = selectors.attempt_responses(attempt=attempt)
    response = responses.get(number - 1)
    chosen = set(response if isinstance(response, list) else [response])
    return render(
        request,
        "quizzes/attempt_question.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "number": number,
            "count": len(questions),
            "question": grading.public_question(question),
            "choices": [
                {**choice, "chosen": choice["id"] in chosen} for choice in question["choices"]
            ],
            "response": response,
            "numbers": [
                {"number": position + 1, "answered": responses.get(position) is not None}
                for position in range(len(questions))
            ],
            "remaining_seconds": _remaining_seconds(attempt, now),
            "error": error,
        },
        status=400 if error else 200,
    )


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_POST
def attempt_answer(request, attempt_id: int):
    """``{"position": 0, "response": …}`` → ``{"saved": true, …}``: one answer, saved as given.

    Errors are ``{"error": "<中文>"}`` with 400 (refused), 401 (logged out), 404 (no such
    attempt for this person) or 409 (closed: submitted or time up; ``result_url`` says where the
    result is). Never carries the key.
    """
    if not request.user.is_authenticated:
        return _json({"error": _("登录已过期，请重新登录后继续答题。")}, 401)
    person = _active_person(request)
    attempt = None
    if person is not None:
        attempt = selectors.attempt_of_person(attempt_id=attempt_id, person=person, snapshot=False)
    if attempt is None or not request.user.has_perm("quizzes.view_attempt", attempt):
        return _json({"error": _("没有找到这次答题记录。")}, 404)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict) or "position" not in payload:
        return _json({"error": _("答案格式不正确。")}, 400)
    now = timezone.now()
    try:
        answer = services.attempt_answer_save(
            attempt=attempt,
            person=person,
            position=payload["position"],
            response=payload.get("response"),
            at=now,
        )
    except services.AttemptClosed as closed:
        return _json(
            {"error": closed.messages[0], "closed": True, "result_url": _result_url(attempt)}, 409
        )
    except ValidationError as invalid:
        return _json({"error": invalid.messages[0]}, 400)
    return _json(
        {
            "saved": True,
            "position": answer.position,
            "answered": answer.response is not None,
            "saved_at": answer.saved_at.isoformat(),
            "remaining_seconds": _remaining_seconds(attempt, now),
        }
    )


@require_safe
def attempt_overview(request, attempt_id: int):
    """Which questions are answered, and the submit button."""
    person, attempt = _attempt_or_404(request, attempt_id)
    now = timezone.now()
    if not _still_open(attempt, person, now):
        return redirect(_result_url(attempt))
    responses = selectors.attempt_responses(attempt=attempt)
    numbers = [
        {"number": position + 1, "answered": responses.get(position) is not None}
        for position in range(attempt.question_count)
    ]
    return render(
        request,
        "quizzes/attempt_overview.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "numbers": numbers,
            "unanswered": sum(1 for item in numbers if not item["answered"]),
            "remaining_seconds": _remaining_seconds(attempt, now),
        },
    )


@require_POST
def attempt_submit(request, attempt_id: int):
    """交卷. A second click, a second tab or a replay finds it submitted and shows the result."""
    person, attempt = _attempt_or_404(request, attempt_id, snapshot=False)
    services.attempt_submit(attempt=attempt, person=person)
    return redirect(_result_url(attempt))


@require_safe
def attempt_result(request, attempt_id: int):
    """The score and pass; the answers and explanations when the review policy allows."""
    person, attempt = _attempt_or_404(request, attempt_id)
    now = timezone.now()
    if _still_open(attempt, person, now):
        return redirect("quizzes:attempt_overview", attempt_id=attempt.pk)
    attempt.refresh_from_db()
    review = None
    if selectors.review_visible(attempt=attempt, at=now):
        review = selectors.attempt_review(attempt=attempt)
    return render(
        request,
        "quizzes/attempt_result.html",
        {"attempt": attempt, "quiz": attempt.quiz, "review": review},
    )
