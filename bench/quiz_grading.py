"""Grading time of a 100-question attempt.

Data: a quiz of 100 questions (25 of each kind, shuffled, partial credit for multiple choice;
``bench/_quizzes.py``) and 40 agents, each with an open attempt whose 100 answers were saved
through ``attempt_answer_save`` (about 80 % right).

- ``quiz_grading_median_ms``: ``quizzes.grading.grade`` of one attempt — the snapshot and its
  100 responses to marks, score, percent and pass — median of 500 runs after warm-up. Target
  (issue 4): under 5 ms.
- ``quiz_submit_median_ms``: ``attempt_submit`` of each of the 40 attempts on PostgreSQL — the
  row lock, reading the 100 answers, grading, writing the 100 marks and the attempt, and the
  certificate check of a pass — median (informative: what a submission costs the server).
"""

import random
import sys

from _common import median, p95, report, setup_django, timed

QUESTIONS = 100
ATTEMPTS = 40
TARGET_MS = 5.0


def main() -> int:
    setup_django()
    import time

    from _courses import agents, companies
    from _quizzes import build_quiz, response_for

    from quizzes import grading
    from quizzes.services import attempt_answer_save, attempt_start, attempt_submit

    units, people = agents(ATTEMPTS)
    owners = companies(units)
    quiz = build_quiz(company=owners[0], audience=owners, questions=QUESTIONS)
    rng = random.Random(4)
    attempts = []
    for person in people:
        attempt = attempt_start(quiz=quiz, person=person, rng=rng)
        for position, question in enumerate(attempt.snapshot["questions"]):
            attempt_answer_save(
                attempt=attempt,
                person=person,
                position=position,
                response=response_for(question, rng),
            )
        attempts.append((attempt, person))

    first = attempts[0][0]
    responses = dict(first.answers.values_list("position", "response"))
    snapshot = first.snapshot
    samples = timed(lambda: grading.grade(snapshot, responses), repeat=500, warmup=20)
    grade_median = median(samples)
    report("quiz_grading_median_ms", round(grade_median, 3), "ms")
    report("quiz_grading_p95_ms", round(p95(samples), 3), "ms")

    submit_samples = []
    for attempt, person in attempts:
        started = time.perf_counter()
        submitted = attempt_submit(attempt=attempt, person=person)
        submit_samples.append((time.perf_counter() - started) * 1000)
        if submitted.graded_at is None:
            print(f"Attempt {attempt.pk} was not graded.", file=sys.stderr)
            return 1
    report("quiz_submit_median_ms", round(median(submit_samples), 2), "ms")
    if grade_median >= TARGET_MS:
        print(f"Grading median {grade_median:.2f} ms is not under {TARGET_MS} ms.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
