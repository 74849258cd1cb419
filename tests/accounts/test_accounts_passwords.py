"""The account password policy: each rule alone and all together (every message at once),
history of 24 hashes, expiry with and without HardExpiry, administrator-required reset,
`manage.py changepassword`, and the policy page with AWS's field names and limits."""

import itertools
from datetime import timedelta

import pytest
from accounts_helpers import T0, page_text, sign_in, signed_in_user_id, url
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from personas import ADMIN_POLICY, PASSWORD, READ_ONLY_POLICY, make_user

from iamconsole.accounts import flows
from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccountPasswordPolicy, AccountSettings, AuditEvent, User

pytestmark = pytest.mark.django_db
SYSTEM = Caller.system("test")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def set_policy(**fields):
    return iam.update_account_password_policy(SYSTEM, **fields)


def messages_for(password, user=None):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


# --- each rule, alone and combined -------------------------------------------------------

LENGTH = "The password must be at least 12 characters long."
UPPER = "The password must contain at least one uppercase letter (A-Z)."
LOWER = "The password must contain at least one lowercase letter (a-z)."
NUMBER = "The password must contain at least one number (0-9)."
SYMBOL = ("The password must contain at least one symbol: "
          "! @ # $ % ^ & * ( ) _ + - = [ ] { } | '.")

RULES = {
    "length": ({"minimum_password_length": 12}, LENGTH),
    "upper": ({"require_uppercase_characters": True}, UPPER),
    "lower": ({"require_lowercase_characters": True}, LOWER),
    "number": ({"require_numbers": True}, NUMBER),
    "symbol": ({"require_symbols": True}, SYMBOL),
}
# A password that breaks exactly one rule each (and satisfies the other four).
BREAKS_ONLY = {
    "length": "Ab1!short",
    "upper": "all-lower-case-1!",
    "lower": "ALL-UPPER-CASE-1!",
    "number": "No-Numbers-Here!",
    "symbol": "NoSymbolsHere123",
}


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_alone_rejects_with_its_own_message(db, rule):
    fields, message = RULES[rule]
    set_policy(**fields)
    assert messages_for(BREAKS_ONLY[rule]) == [message]


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_alone_accepts_a_password_that_meets_it(db, rule):
    fields, _ = RULES[rule]
    set_policy(**fields)
    assert messages_for("Meets-Every-Rule-42!") == []


@pytest.mark.parametrize("rule", list(RULES))
def test_with_all_rules_a_password_breaking_one_gets_only_that_message(db, rule):
    set_policy(**{k: v for fields, _ in RULES.values() for k, v in fields.items()})
    assert messages_for(BREAKS_ONLY[rule]) == [RULES[rule][1]]


@pytest.mark.parametrize(
    "combo", [c for n in (2, 3, 4, 5) for c in itertools.combinations(RULES, n)],
    ids=lambda c: "+".join(c),
)
def test_every_combination_of_rules_reports_every_failure_at_once(db, combo):
    set_policy(**{k: v for name in combo for k, v in RULES[name][0].items()})
    # Six spaces: long enough for the API default (6), short of 12, and no character class.
    assert messages_for(" " * 6) == [RULES[name][1] for name in RULES if name in combo]


def test_without_a_policy_eight_characters_are_needed(db):
    assert messages_for("short12") == ["The password must be at least 8 characters long."]
    assert messages_for("longer12") == []


def test_minimum_length_boundary(db):
    set_policy(minimum_password_length=6)
    assert messages_for("abcde") and not messages_for("abcdef")


def test_password_equal_to_user_name_is_rejected(db):
    user = make_user("Longusername", password=None)
    assert "The password must not be the user name." in messages_for("longUSERNAME", user)


def test_domain_operation_reports_all_failures(db):
    set_policy(minimum_password_length=10, require_numbers=True, require_symbols=True)
    make_user("bob", password=None)
    with pytest.raises(errors.PasswordPolicyViolation) as exc:
        iam.create_login_profile(SYSTEM, "bob", "abc")
    assert exc.value.message == " ".join(
        ["The password must be at least 10 characters long.", NUMBER, SYMBOL])
    assert not User.objects.get(name="bob").has_usable_password()


def test_password_change_page_lists_every_failed_rule(client, db):
    make_user("carol")
    set_policy(minimum_password_length=12, require_uppercase_characters=True,
               require_numbers=True, require_symbols=True, allow_users_to_change_password=True)
    sign_in(client, "carol", PASSWORD)
    response = client.post(url("password_change"), {
        "old_password": PASSWORD, "new_password1": "weak", "new_password2": "weak"})
    text = page_text(response)
    for message in (LENGTH, UPPER, NUMBER):
        assert message in text
    assert "at least one symbol" in text
    user = User.objects.get(name="carol")
    assert user.check_password(PASSWORD)


def test_password_change_page_reports_mismatch_and_wrong_old_password(client, db):
    make_user("dave")
    set_policy(allow_users_to_change_password=True)
    sign_in(client, "dave", PASSWORD)
    response = client.post(url("password_change"), {
        "old_password": PASSWORD, "new_password1": "Another-Pass-1!",
        "new_password2": "Another-Pass-2!"})
    assert "The two new passwords do not match." in page_text(response)
    response = client.post(url("password_change"), {
        "old_password": "wrong", "new_password1": "Another-Pass-1!",
        "new_password2": "Another-Pass-1!"})
    assert "The old password is incorrect." in page_text(response)


def test_voluntary_change_keeps_the_session_and_is_audited(client, db):
    make_user("erin")
    set_policy(allow_users_to_change_password=True)
    sign_in(client, "erin", PASSWORD)
    response = client.post(url("password_change"), {
        "old_password": PASSWORD, "new_password1": "Brand-New-Pass-7!",
        "new_password2": "Brand-New-Pass-7!"})
    assert response.status_code == 302
    assert signed_in_user_id(client) is not None  # session hash updated
    assert client.get(url("password_change")).status_code == 200
    assert AuditEvent.objects.filter(action="iam:ChangePassword", actor="erin").exists()
    assert User.objects.get(name="erin").check_password("Brand-New-Pass-7!")


def test_voluntary_change_needs_permission_or_the_policy_flag(client, db):
    make_user("frank")
    sign_in(client, "frank", PASSWORD)
    response = client.post(url("password_change"), {
        "old_password": PASSWORD, "new_password1": "Brand-New-Pass-7!",
        "new_password2": "Brand-New-Pass-7!"})
    assert "not authorized to perform: iam:ChangePassword" in page_text(response)
    assert User.objects.get(name="frank").check_password(PASSWORD)


# --- history ------------------------------------------------------------------------------

def test_history_of_24_blocks_the_24th_last_and_allows_the_25th_last(db, frozen):
    user = make_user("hist", password=None)
    passwords = [f"History-Pass-{n:02d}!" for n in range(1, 26)]  # the 25th is current
    for password in passwords:
        iam.set_password(user, password)
        frozen.shift(1)
    set_policy(password_reuse_prevention=24)
    assert user.password_history.count() == 24
    assert not any(h.password in passwords for h in user.password_history.all())  # hashes only
    twenty_fourth_last, twenty_fifth_last = passwords[1], passwords[0]
    assert messages_for(twenty_fourth_last, user) == [
        "The password must not be one of your last 24 passwords."]
    assert messages_for(passwords[-1], user)  # the current one is the most recent
    assert messages_for(twenty_fifth_last, user) == []
    iam.set_password(user, twenty_fifth_last)
    assert user.password_history.count() == 24
    assert check_password(twenty_fifth_last, user.password_history.first().password)


def test_reuse_prevention_counts_only_the_configured_number(db, frozen):
    user = make_user("few", password=None)
    for password in ["Old-Pass-0001!", "Old-Pass-0002!", "Old-Pass-0003!"]:
        iam.set_password(user, password)
        frozen.shift(1)
    set_policy(password_reuse_prevention=2)
    assert messages_for("Old-Pass-0002!", user)
    assert messages_for("Old-Pass-0001!", user) == []


def test_without_reuse_prevention_an_old_password_may_return(db):
    user = make_user("again", password=None)
    iam.set_password(user, "First-Pass-01!")
    iam.set_password(user, "Second-Pass-02!")
    assert messages_for("First-Pass-01!", user) == []


# --- expiry and required reset -------------------------------------------------------------

def test_expired_password_must_be_changed_right_after_sign_in(client, db, frozen):
    make_user("gina")
    set_policy(max_password_age=90)
    frozen.shift(timedelta(days=90))
    response = sign_in(client, "gina", PASSWORD)
    assert signed_in_user_id(client) is not None
    response = client.get(url("password_policy"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("password_change") + "?next=")
    api = client.get("/api/v1/users/")
    assert api.status_code == 403 and api.json()["code"] == "PasswordChangeRequired"
    page = client.get(url("password_change"))
    assert "Your password has expired" in page_text(page)
    # Allowed although the user has no iam:ChangePassword and AllowUsersToChangePassword is off.
    response = client.post(url("password_change") + "?next=/accounts/password-policy/", {
        "old_password": PASSWORD, "new_password1": "Renewed-Pass-9!",
        "new_password2": "Renewed-Pass-9!", "next": "/accounts/password-policy/"})
    assert response.status_code == 302 and response["Location"] == url("password_policy")
    assert client.get(url("password_policy")).status_code == 403  # through; no permission
    assert not iam.password_expired(User.objects.get(name="gina"))


def test_password_younger_than_max_age_is_not_expired(client, db, frozen):
    make_user("hank")
    set_policy(max_password_age=90)
    frozen.shift(timedelta(days=89, hours=23))
    sign_in(client, "hank", PASSWORD)
    assert client.get(url("password_change")).context["forced"] is False


def test_hard_expiry_refuses_sign_in_until_an_administrator_resets(client, db, frozen):
    make_user("ivy")
    set_policy(max_password_age=30, hard_expiry=True)
    frozen.shift(timedelta(days=31))
    response = sign_in(client, "ivy", PASSWORD)
    assert signed_in_user_id(client) is None
    assert "An administrator must reset it." in page_text(response)
    event = AuditEvent.objects.get(action=flows.SIGN_IN)
    assert (event.outcome, event.detail) == ("failure", "password expired (HardExpiry)")
    iam.update_login_profile(SYSTEM, "ivy", password="Admin-Reset-77!",
                             password_reset_required=True)
    sign_in(client, "ivy", "Admin-Reset-77!")
    assert signed_in_user_id(client) is not None
    assert client.get(url("password_policy"))["Location"].startswith(url("password_change"))


def test_hard_expiry_while_signed_in_signs_the_user_out(client, db, frozen):
    make_user("jack")
    set_policy(max_password_age=30, hard_expiry=True)
    frozen.shift(timedelta(days=29, hours=23))
    sign_in(client, "jack", PASSWORD)
    frozen.shift(timedelta(hours=2))
    response = client.get(url("password_change"))
    assert response.status_code == 302 and response["Location"] == url("login")
    assert signed_in_user_id(client) is None


def test_administrator_can_require_a_reset_at_next_sign_in(client, db, admin):
    make_user("kate")
    set_policy(allow_users_to_change_password=False)
    iam.update_login_profile(Caller(user=admin), "kate", password_reset_required=True)
    sign_in(client, "kate", PASSWORD)
    assert client.get(url("password_policy"))["Location"].startswith(url("password_change"))
    page = client.get(url("password_change"))
    assert "An administrator requires you to set a new password" in page_text(page)
    client.post(url("password_change"), {
        "old_password": PASSWORD, "new_password1": "Kate-New-Pass-1!",
        "new_password2": "Kate-New-Pass-1!"})
    kate = User.objects.get(name="kate")
    assert not kate.password_reset_required
    assert client.get(url("password_change")).context["forced"] is False


def test_forced_change_still_obeys_the_rules(client, db):
    make_user("liam")
    set_policy(minimum_password_length=20)
    iam.update_login_profile(SYSTEM, "liam", password_reset_required=True)
    sign_in(client, "liam", PASSWORD)
    response = client.post(url("password_change"), {
        "old_password": PASSWORD, "new_password1": "Short-Pass-1!",
        "new_password2": "Short-Pass-1!"})
    assert "at least 20 characters" in page_text(response)
    assert User.objects.get(name="liam").password_reset_required


def test_root_user_is_outside_the_password_policy_expiry(client, root_user, frozen):
    set_policy(max_password_age=1, hard_expiry=True)
    frozen.shift(timedelta(days=5))
    sign_in(client, "root", PASSWORD)
    assert signed_in_user_id(client) == str(root_user.pk)


# --- manage.py changepassword ----------------------------------------------------------------

def _answers(monkeypatch, *answers):
    answers = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="Password: ", stream=None: next(answers))


def test_changepassword_command_obeys_the_policy(db, monkeypatch, capsys):
    make_user("mona")
    set_policy(minimum_password_length=14, require_symbols=True)
    _answers(monkeypatch, *["short"] * 6)
    with pytest.raises(CommandError, match="after 3 attempts"):
        call_command("changepassword", "mona")
    err = capsys.readouterr().err
    assert "at least 14 characters" in err and "at least one symbol" in err
    assert User.objects.get(name="mona").check_password(PASSWORD)


def test_changepassword_command_records_history_and_audit(db, monkeypatch):
    make_user("nina")
    set_policy(password_reuse_prevention=5)
    _answers(monkeypatch, PASSWORD, PASSWORD, "Nina-Fresh-Pass-1!", "Nina-Fresh-Pass-1!")
    call_command("changepassword", "nina")  # first try reuses the current password: refused
    nina = User.objects.get(name="nina")
    assert nina.check_password("Nina-Fresh-Pass-1!")
    assert nina.password_history.count() == 2
    assert check_password("Nina-Fresh-Pass-1!", nina.password_history.first().password)
    assert AuditEvent.objects.filter(action="iam:UpdateLoginProfile", resource_name="nina",
                                     detail="manage.py changepassword").exists()


def test_changepassword_command_unknown_user(db):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("changepassword", "ghost")


# --- the password policy page ------------------------------------------------------------------

POLICY_POST = {
    "action": "policy", "MinimumPasswordLength": "14", "RequireSymbols": "on",
    "RequireNumbers": "on", "RequireUppercaseCharacters": "on",
    "RequireLowercaseCharacters": "on", "AllowUsersToChangePassword": "on",
    "MaxPasswordAge": "90", "PasswordReusePrevention": "24", "HardExpiry": "",
}


@pytest.fixture
def admin_client(client, admin):
    sign_in(client, "admin", PASSWORD)
    return client


def test_policy_page_saves_every_aws_field(admin_client):
    response = admin_client.post(url("password_policy"), POLICY_POST)
    assert response.status_code == 302
    policy = iam.policy_dict(AccountPasswordPolicy.objects.get())
    assert policy == {
        "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
        "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
        "AllowUsersToChangePassword": True, "ExpirePasswords": True, "HardExpiry": False,
        "MaxPasswordAge": 90, "PasswordReusePrevention": 24,
    }
    page = page_text(admin_client.get(url("password_policy")))
    assert "ExpirePasswords" in page and 'value="14"' in page
    assert AuditEvent.objects.filter(action="iam:UpdateAccountPasswordPolicy",
                                     actor="admin").exists()


def test_policy_page_empty_age_and_reuse_mean_none(admin_client):
    admin_client.post(url("password_policy"), {**POLICY_POST, "MaxPasswordAge": "",
                                              "PasswordReusePrevention": ""})
    policy = iam.policy_dict(AccountPasswordPolicy.objects.get())
    assert "MaxPasswordAge" not in policy and policy["ExpirePasswords"] is False
    assert "PasswordReusePrevention" not in policy


@pytest.mark.parametrize("field,value", [
    ("MinimumPasswordLength", "5"), ("MinimumPasswordLength", "129"),
    ("MaxPasswordAge", "0"), ("MaxPasswordAge", "1096"),
    ("PasswordReusePrevention", "0"), ("PasswordReusePrevention", "25"),
    ("MinimumPasswordLength", "eight"),
])
def test_policy_page_rejects_values_outside_aws_limits(admin_client, field, value):
    response = admin_client.post(url("password_policy"), {**POLICY_POST, field: value})
    assert response.status_code == 200
    assert response.context["policy_form"].errors[field]
    assert not AccountPasswordPolicy.objects.exists()


@pytest.mark.parametrize("field,value", [
    ("MinimumPasswordLength", "6"), ("MinimumPasswordLength", "128"),
    ("MaxPasswordAge", "1"), ("MaxPasswordAge", "1095"),
    ("PasswordReusePrevention", "1"), ("PasswordReusePrevention", "24"),
])
def test_policy_page_accepts_aws_limit_values(admin_client, field, value):
    admin_client.post(url("password_policy"), {**POLICY_POST, field: value})
    assert iam.policy_dict(AccountPasswordPolicy.objects.get())[field] == int(value)


def test_policy_page_can_delete_the_policy(admin_client):
    set_policy(minimum_password_length=20)
    admin_client.post(url("password_policy"), {"action": "delete"})
    assert not AccountPasswordPolicy.objects.exists()


def test_outsider_gets_403_and_changes_nothing(client, outsider):
    sign_in(client, "outsider", PASSWORD)
    assert client.get(url("password_policy")).status_code == 403
    response = client.post(url("password_policy"), POLICY_POST)
    assert response.status_code == 403
    assert "iam:UpdateAccountPasswordPolicy" in page_text(response)
    assert not AccountPasswordPolicy.objects.exists()
    response = client.post(url("password_policy"), {"action": "settings", "require_mfa": "on"})
    assert response.status_code == 403 and not AccountSettings.load().require_mfa


def test_reader_sees_the_policy_but_cannot_change_it(client, db):
    make_user("viewer", policy=READ_ONLY_POLICY)
    set_policy(minimum_password_length=11)
    sign_in(client, "viewer", PASSWORD)
    page = client.get(url("password_policy"))
    assert page.status_code == 200 and 'value="11"' in page_text(page)
    assert client.post(url("password_policy"), POLICY_POST).status_code == 403
    assert AccountPasswordPolicy.objects.get().minimum_password_length == 11


def test_require_mfa_toggle_takes_effect_at_once(admin_client):
    admin_client.post(url("password_policy"), {"action": "settings", "require_mfa": "on"})
    assert AccountSettings.load().require_mfa
    # The administrator has no MFA device either: enrollment comes first now.
    response = admin_client.get(url("password_policy"))
    assert response["Location"].startswith(url("mfa_enroll"))


def test_require_mfa_toggle_off(client, root_user):
    iam.update_account_settings(SYSTEM, require_mfa=True)
    sign_in(client, "root", PASSWORD)
    client.post(url("password_policy"), {"action": "settings"})
    assert not AccountSettings.load().require_mfa


def test_policy_page_needs_sign_in(client, db):
    response = client.get(url("password_policy"))
    assert response.status_code == 302 and response["Location"].startswith(url("login"))


def test_admin_persona_policy_is_admin(db):
    assert "*" in ADMIN_POLICY  # guards the fixtures this module relies on


def test_new_password_must_differ_from_the_current_one(client, db):
    make_user("oscar")
    set_policy(allow_users_to_change_password=True)
    sign_in(client, "oscar", PASSWORD)
    response = client.post(url("password_change"), {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.context["form"].errors["new_password1"] == [
        "The new password must differ from the current one."]
