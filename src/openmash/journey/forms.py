from django import forms


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label="Name, LA child ID, NHS number or UPN",
        max_length=100,
        required=True,
        error_messages={
            "required": "Enter a name or an ID to search for",
            "max_length": "Enter no more than 100 characters",
        },
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"].strip()
        if len(value) < 2:
            raise forms.ValidationError("Enter at least 2 characters")
        return value
