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


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device for 7 days"))


class LogoutForm(FlaskForm):
    """Only the CSRF token: logging out is a POST so another site cannot log a user out."""


class RegisterForm(FlaskForm):
    full_name = StringField(
        "Full name", validators=[DataRequired("Enter your name."), Length(max=120)]
    )
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    phone = TelField("Phone (optional)", validators=[Optional(), Length(max=32)])
    # Citizens only (db/users.clean_address): shown to the hospital that accepts their SOS.
    address = StringField("Home address (optional)", validators=[Optional(), Length(max=300)])
    password = PasswordField(
        "Password (at least 10 characters)", validators=[DataRequired("Choose a password.")]
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired("Repeat the password."),
                    EqualTo("password", "The two passwords are different.")],
    )
    role = RadioField(
        "I am registering as",
        choices=[
            SelectChoice(Role.CITIZEN, "Citizen — use SOS, find beds and blood (active at once)"),
            SelectChoice(Role.HOSPITAL_ADMIN, "Hospital admin — needs approval by an administrator"),
            SelectChoice(Role.HEALTH_OFFICER, "Health officer — needs approval by an administrator"),
        ],
        default=Role.CITIZEN,
        validators=[DataRequired("Choose who you are registering as.")],
    )
    # Hospital admins: an existing hospital (typed and picked from the list) ...
    hospital = StringField("Your hospital", validators=[Optional(), Length(max=300)])
    # ... or a new one they propose, which a super admin checks before approving.
    new_hospital_name = StringField("New hospital: name", validators=[Optional(), Length(max=200)])
    new_hospital_address = StringField("Address", validators=[Optional(), Length(max=300)])
    new_hospital_city = StringField("City", validators=[Optional(), Length(max=100)])
    new_hospital_latitude = FloatField(
        "Latitude", validators=[Optional(), NumberRange(-90, 90, "Latitude is between -90 and 90.")]
    )
    new_hospital_longitude = FloatField(
        "Longitude",
        validators=[Optional(), NumberRange(-180, 180, "Longitude is between -180 and 180.")],
    )
    new_hospital_phone = TelField("Hospital phone", validators=[Optional(), Length(max=32)])
