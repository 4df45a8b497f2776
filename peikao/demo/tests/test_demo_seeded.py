"""The demo is the same from one run to the next: the exam papers its candidates draw come from its seed."""

from peikao.demo.steps import seeded_papers
from peikao.exams import papers


def test_the_demo_draws_its_exam_papers_from_its_seed_and_the_platform_from_chance_again():
    with seeded_papers(2026):
        first = [papers.new_seed() for _ in range(5)]
    with seeded_papers(2026):
        again = [papers.new_seed() for _ in range(5)]
    with seeded_papers(2027):
        other = [papers.new_seed() for _ in range(5)]
    assert first == again and first != other
    assert papers.new_seed() not in first and papers.new_seed() != papers.new_seed()  # outside: the system's chance
