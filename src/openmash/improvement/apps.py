from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "openmash.improvement"
    label = "improvement"
    verbose_name = "Improvement and inspection"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # Old and new values of every change to a plan or an action, beside the audit trail's who and when
        # (access.history seals each entry into the change chains).
        for model in (self.get_model("ActionPlan"), self.get_model("Action")):
            if not auditlog.contains(model):
                auditlog.register(model, exclude_fields=["created_at", "updated_at"])
