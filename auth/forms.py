"""Login and registration forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

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

from db.vocabulary import Role

TOO_LONG = _l("Keep it under %(max)d characters.")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device for 7 days"))


class LogoutForm(FlaskForm):
    """Only the CSRF token: logging out is a POST so another site cannot log a user out."""


class RegisterForm(FlaskForm):
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
