from django.core.management.base import BaseCommand, CommandError

from reports import rollups


class Command(BaseCommand):
    help = "Recount the dashboard rollups from the raw records (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report differences, change nothing."
        )

    def handle(self, *args, check=False, **options):
        if check:
            total = 0
            for name, differences in rollups.diff_all().items():
                total += len(differences)
                for key, have, want in differences[:50]:
                    self.stdout.write(f"{name} {key}: stored {have}, expected {want}")
            if total:
                raise CommandError(f"{total} rollup rows differ from a recount.")
            self.stdout.write("rollups exact")
            return
        for name, rows in rollups.rebuild_all().items():
            self.stdout.write(f"{name}: {rows} rollup rows written")
