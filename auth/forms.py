"""Login and registration forms (Flask-WTF: every form carries a CSRF token).

Every form here derives from `Form`: WTForms' own messages ("Not a valid float value.") come
through the app's catalog, in the reader's language (WTForms ships no Hindi, and Flask-WTF's
WTF_I18N_ENABLED only reads WTForms' own catalogs). Those our forms can show are marked in
`WTFORMS_WORDS`; a message passed to a validator is marked where it is passed.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    PasswordField,
    RadioField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from db.errors import N_
from db.vocabulary import Role

TOO_LONG = _l("Keep it under %(max)d characters.")
# WTForms' built-in messages a form of ours can show (a field that reads a number, a choice, a
# required field or file without its own message, an email check), for the catalog.
WTFORMS_WORDS = (
    N_("Not a valid float value."), N_("Not a valid integer value."), N_("Not a valid decimal value."),
    N_("Not a valid choice."), N_("Invalid Choice: could not coerce."), N_("This field is required."),
    N_("Invalid email address."), N_("Invalid input."),
)


class _Catalog:
    """WTForms' translations object, answered from the app's catalog in the request's language
    (no formatting here: WTForms fills its own placeholders)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


CATALOG = _Catalog()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return CATALOG


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device for 7 days"))


class LogoutForm(Form):
    """Only the CSRF token: logging out is a POST so another site cannot log a user out."""


class RegisterForm(Form):
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120, message=TOO_LONG)]
    )
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=32, message=TOO_LONG)])
    # Citizens only (db/users.clean_address): shown to the hospital that accepts their SOS.
    address = StringField(_l("Home address (optional)"), validators=[Optional(), Length(max=300, message=TOO_LONG)])
    password = PasswordField(
        _l("Password (at least 10 characters)"), validators=[DataRequired(_l("Choose a password."))]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Repeat the password.")),
                    EqualTo("password", _l("The two passwords are different."))],
    )
    role = RadioField(
        _l("I am registering as"),
        choices=[
            SelectChoice(Role.CITIZEN, _l("Citizen — use SOS, find beds and blood (active at once)")),
            SelectChoice(Role.HOSPITAL_ADMIN, _l("Hospital admin — needs approval by an administrator")),
            SelectChoice(Role.HEALTH_OFFICER, _l("Health officer — needs approval by an administrator")),
        ],
        default=Role.CITIZEN,
        validators=[DataRequired(_l("Choose who you are registering as."))],
    )
    # Hospital admins: an existing hospital (typed and picked from the list) ...
    hospital = StringField(_l("Your hospital"), validators=[Optional(), Length(max=300, message=TOO_LONG)])
    # ... or a new one they propose, which a super admin checks before approving.
    new_hospital_name = StringField(_l("New hospital: name"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    new_hospital_address = StringField(_l("Address"), validators=[Optional(), Length(max=300, message=TOO_LONG)])
    new_hospital_city = StringField(_l("City"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    new_hospital_latitude = FloatField(
        _l("Latitude"), validators=[Optional(), NumberRange(-90, 90, _l("Latitude is between -90 and 90."))]
    )
    new_hospital_longitude = FloatField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(-180, 180, _l("Longitude is between -180 and 180."))],
    )
    new_hospital_phone = TelField(_l("Hospital phone"), validators=[Optional(), Length(max=32, message=TOO_LONG)])
