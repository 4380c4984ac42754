from django.core.management.base import BaseCommand, CommandError

from reports import rollups


class Command(BaseCommand):
    help = "Recount the dashboard rollups from the raw enrolments (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report differences, change nothing."
        )

    def handle(self, *args, check=False, **options):
        if check:
            differences = rollups.diff()
            for key, have, want in differences[:50]:
                self.stdout.write(f"{key}: stored {have}, expected {want}")
            if differences:
                raise CommandError(f"{len(differences)} rollup rows differ from a recount.")
            self.stdout.write("rollups exact")
            return
        self.stdout.write(f"{rollups.rebuild()} rollup rows written")
