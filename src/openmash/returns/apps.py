from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "openmash.returns"
    label = "returns"
    verbose_name = "Statutory returns"

    def ready(self) -> None:
        from openmash.core.events import records_changed

        from .quality import on_records_changed

        # After every change to a child's statutory record, check that child against the census rules.
        records_changed.connect(on_records_changed, dispatch_uid="returns.data_quality")
