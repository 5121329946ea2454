from django import forms
from django.utils import timezone

from reports.period import PeriodError, ReportPeriod, report_period, this_week


class PeriodForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both days included; this week when neither is given."""

    first_day = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        default = this_week(now=timezone.now())
        first_day = cleaned.get("first_day") or (default.first_day if not cleaned.get("last_day") else None)
        last_day = cleaned.get("last_day") or (default.last_day if not cleaned.get("first_day") else None)
        if first_day is None or last_day is None:
            raise forms.ValidationError("Give both days of the range, or neither for this week.")
        try:
            cleaned["period"] = report_period(first_day=first_day, last_day=last_day)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned

    @property
    def period(self) -> ReportPeriod:
        return self.cleaned_data["period"]
