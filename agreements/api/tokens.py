"""The API tokens page: each user makes, sees and revokes their own personal tokens, with which
a program calls the API as them (authentication.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from agreements.api.models import ApiToken
from agreements.api.services import api_token_create, api_token_revoke
from core.forms import DateInput, apply_validation_error
from core.validators import refuse_control_characters


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        validators=[refuse_control_characters],
        label="What is it for?",
        widget=forms.TextInput(attrs={"placeholder": "e.g. PSA sync"}),
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Leave empty for a token that works until you revoke it.",
        widget=DateInput(),
    )


class ApiTokensView(FormView):
    """Each user's personal API tokens: make one (shown once), see when each was last used,
    revoke one. A token acts as its user, without admin-only rights."""

    template_name = "api/tokens.html"
    form_class = ApiTokenForm
    session_key = "new_api_token"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=ApiToken.objects.filter(user=self.request.user),
            # The new token, shown on the page the post redirects to, and only there.
            new_token=self.request.session.pop(self.session_key, None),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        revoke = request.POST.get("revoke")
        if revoke is not None:
            if api_token_revoke(user=request.user, token_key=revoke):
                messages.success(request, "The token is revoked: it no longer works.")
            else:
                messages.error(request, "That token was already revoked.")
            return redirect("api:tokens")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            _, secret = api_token_create(user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        self.request.session[self.session_key] = secret
        return redirect("api:tokens")
