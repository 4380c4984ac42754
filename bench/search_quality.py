"""Search quality: recall and precision of Chinese queries over the cross-selling rules.

Data: each article (第N条) of the seed ``cross_selling_rules_zh.md`` is one Wagtail page, titled
第N条, with the article's text in ``search_description``, which this script adds to
``Page.search_fields`` for the run (Wagtail indexes only the title of a plain page). Pages are
indexed as they are saved (the test settings run tasks at once), through the project's search
backend (``config.search.backend``).

Queries: terms and phrases of the rules (联合展业, 渠道共享, 互动部, 企业年金, 续保, 保费收入 …,
including words inside longer ones such as 销售人员 in 交叉销售人员) and negatives that are not
in the text (渠道和共享, 共享渠道, 展业联合, 车险理赔 …). The relevant articles of a query are those
whose text (title and article) contains the query as typed; the found ones are
``Page.search(query)``.

Reports, micro-averaged over all queries (every relevant and every found article counts once):
- ``search_recall_<db>``: relevant articles found / relevant articles;
- ``search_precision_<db>``: relevant articles found / articles found;
for ``sqlite`` and ``postgresql``, each run in its own process (modelsearch's models depend on the
database), and ``search_backends_differ``: queries whose results differ between the two.
Target (issue 3): recall and precision at least 0.98 on both, the same results on both. Misses
and false hits go to stderr. PostgreSQL: this script's own bench database, made afresh by
``_common.setup_django`` (``cst_bench_search_quality`` unless ``DATABASE_URL`` names another
base); SQLite: a file in a temporary directory.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.98
VENDORS = ("sqlite", "postgresql")

QUERIES = [
    # Terms of the user dictionary, as they stand in the rules.
    "联合展业",
    "渠道共享",
    "互动部",
    "企业年金",
    "续保",
    "保费收入",
    "协调小组",
    "交叉销售",
    "讲师团",
    "销售误导",
    "承保公司",
    "现场查勘",
    "相互代理",
    "产代寿",
    "产代健",
    "寿代产",
    "健代产",
    "兼业代理",
    "首期",
    "续期",
    "社保补充",
    "晨会",
    "晨会录像",
    "讲课录音",
    "授课光盘",
    "转培训",
    "代理方",
    "非保费收入",
    "营销培训讲师团",
    "柜面服务人员",
    "共同展业",
    "共保展业",
    "取送保单",
    "费用分摊",
    "合署办公",
    "全面预算管理",
    # Other words and phrases of the text, some inside longer words.
    "统一的培训教材",
    "恶性竞争",
    "业务协同",
    "销售人员",
    "培训讲师",
    "客户数据平台",
    "交叉销售统计系统",
    "统计系统",
    "风险防范",
    "监管部门",
    "品牌管理",
    "佣金",
    "手续费",
    "理赔",
    "人保健康",
    "中国人保",
    "人保",
    "联席会议",
    "利益共享",
    "业务数据",
    "展业",
    "保费",
    "培训工作计划",
    "地市及以下机构",
    "产品开发",
    "综合培训体系",
    "协同公司",
    "被协同公司",
    "年度交叉销售产品策略",
    "交叉销售保费收入",
    "集团公司",
    "子公司",
    # Negatives: not in the text as typed.
    "渠道和共享",
    "共享渠道",
    "展业联合",
    "车险理赔",
    "意外险",
    "养老保险",
    "年金保险",
    "互动销售",
    "寿代健",
    "健代寿",
    "在线考试",
    "保险代理人",
    "产品培训课程",
    "续保率",
]


def articles() -> list[tuple[str, str]]:
    """(第N条, text) for every article of the seed, as the demo courses read them."""
    sys.path.insert(0, str(REPO_ROOT))
    from courses.seed import seed_articles

    return [(article.label, article.text) for article in seed_articles().values()]


def setup(vendor: str, workdir: Path) -> None:
    """Django on a fresh, migrated database of ``vendor``."""
    sys.path.insert(0, str(REPO_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["LOG_LEVEL"] = "WARNING"  # not a line per page saved and per task run
    if vendor == "postgresql":
        from _common import setup_django

        setup_django()
        return
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'search_quality.sqlite3'}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def measure(vendor: str, workdir: Path) -> dict[str, list[str]]:
    """Index the articles and run every query; the titles found, by query."""
    setup(vendor, workdir)
    from django.db import connection
    from wagtail.models import Page
    from wagtail.search import index
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    assert connection.vendor == vendor, connection.vendor
    backend = type(get_search_backend()).__name__
    Page.search_fields = [*Page.search_fields, index.SearchField("search_description")]
    root = Page.get_first_root_node()
    pages = [
        root.add_child(instance=Page(title=title, slug=f"article-{n}", search_description=text))
        for n, (title, text) in enumerate(articles(), start=1)
    ]
    indexed = IndexEntry.objects.filter(object_id__in=[str(page.pk) for page in pages]).count()
    if indexed != len(pages):
        raise SystemExit(f"{indexed} of {len(pages)} pages were indexed.")
    print(f"{vendor}: {len(pages)} articles indexed by {backend}", file=sys.stderr)
    in_bench = Page.objects.filter(pk__in=[page.pk for page in pages])
    return {query: sorted(page.title for page in in_bench.search(query)) for query in QUERIES}


def score(vendor: str, found: dict[str, list[str]]) -> tuple[float, float]:
    """Micro-averaged recall and precision; the misses and false hits go to stderr."""
    texts = articles()
    relevant_total = found_total = hits = 0
    for query in QUERIES:
        relevant = {title for title, text in texts if query in f"{title} {text}"}
        got = set(found[query])
        relevant_total += len(relevant)
        found_total += len(got)
        hits += len(relevant & got)
        if relevant != got:
            missed, wrong = sorted(relevant - got), sorted(got - relevant)
            print(f"  {vendor} {query}: missed {missed}, wrongly found {wrong}", file=sys.stderr)
    recall = hits / relevant_total
    precision = hits / found_total if found_total else 1.0
    return recall, precision


def child(vendor: str, out: Path) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        found = measure(vendor, Path(workdir))
    out.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return 0


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--vendor":
        return child(sys.argv[2], Path(sys.argv[3]))
    results: dict[str, dict[str, list[str]]] = {}
    failed = False
    with tempfile.TemporaryDirectory() as workdir:
        for vendor in VENDORS:
            out = Path(workdir) / f"{vendor}.json"
            command = [sys.executable, __file__, "--vendor", vendor, str(out)]
            if subprocess.run(command, cwd=REPO_ROOT, check=False).returncode:
                print(f"The {vendor} run failed.", file=sys.stderr)
                failed = True
                continue
            results[vendor] = json.loads(out.read_text(encoding="utf-8"))
    print(f"{len(QUERIES)} queries over {len(articles())} articles", file=sys.stderr)
    for vendor, found in results.items():
        recall, precision = score(vendor, found)
        print(f"search_recall_{vendor}: {recall:.3f} ratio", flush=True)
        print(f"search_precision_{vendor}: {precision:.3f} ratio", flush=True)
        failed |= recall < TARGET or precision < TARGET
    if len(results) == len(VENDORS):
        differ = [q for q in QUERIES if results["sqlite"][q] != results["postgresql"][q]]
        for query in differ:
            print(f"  differs: {query}", file=sys.stderr)
        print(f"search_backends_differ: {len(differ)} queries", flush=True)
        failed |= bool(differ)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
