"""Policy pickers: the <select>s that offer managed policies (attach a policy; set a permissions
boundary; the boundary of a new user or role). An account may have thousands of managed
policies: a picker offers the first PICKER_LIMIT by name and, when there are more, a search box
that asks the `policy_options` view (htmx) for those whose name contains what was typed.

Each picker costs a constant number of queries. A boundary picker offers only the boundaries
the caller may use, and asks the policy engine about each offered policy only when the
decision depends on the boundary (a delegated administrator); the policies the caller's
conditions name are offered even when they are not among the first by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from iamconsole.iam import listing
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError
from iamconsole.iam.services.policies import policies_with_arns

from .auth import BoundaryRule, allowed, boundary_rule, boundary_values, get_caller

PICKER_LIMIT = 100


@dataclass
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass
class Picker:
    """One <select id=select_id> of policies, its search box and its hint."""

    select_id: str
    options: list[Option]
    total: int  # policies the search box can find (before the limit)
    search_url: str
    query: str = ""
    shown: int = 0  # policies among the options (not "no boundary", nor the current one)
    restricted: bool = False  # only the policies the caller may use are offered
    noun: str = "policy"
    plural: str = "policies"
    # an empty first option selected when no option is: nothing is chosen for the caller
    placeholder: str = ""
    # a multi-select (several chosen at once)
    multiple: bool = False
    # its search sends the chosen values along, which stay chosen and first
    keeps_chosen: bool = False
    # a search box however few there are (the guided create user's pickers)
    search_always: bool = False

    @property
    def searchable(self) -> bool:
        return self.search_always or self.total > PICKER_LIMIT or bool(self.query)

    @property
    def chosen(self) -> int:
        return sum(option.selected for option in self.options if option.value)

    @property
    def hint_id(self) -> str:
        return f"{self.select_id}-hint"

    @property
    def hint(self) -> str:
        hint = self._hint()
        if self.multiple and not self.search_always and self.chosen:
            return f"{self.chosen:,} chosen · {hint}" if hint else f"{self.chosen:,} chosen."
        return hint

    def _hint(self) -> str:
        noun = self.noun if self.total == 1 else self.plural
        matching = f" whose name contains “{self.query}”" if self.query else ""
        if self.query and not self.total:
            return f"No {self.noun} name contains “{self.query}”."
        if self.search_always:
            chosen = self.chosen
            found = (f"{self.shown:,} of {self.total:,} {noun}{matching} shown"
                     if self.total > self.shown else f"{self.total:,} {noun}{matching}")
            return f"{chosen:,} chosen · {found} — type to search, Ctrl/⌘-click to choose several"
        if self.restricted:
            among = (f"the first {PICKER_LIMIT:,} of {self.total:,} {noun}{matching}"
                     if self.total > PICKER_LIMIT else f"the {self.total:,} {noun}{matching}")
            return f"You may use {self.shown:,} of {among} — type to search by name"
        if self.total > PICKER_LIMIT:
            return f"Showing {self.shown:,} of {self.total:,} {noun}{matching} — type to narrow"
        if self.query:
            return f"{self.total:,} {noun}{matching}."
        return ""

    @property
    def empty_label(self) -> str:
        if self.query and not self.total:
            return f"No {self.noun} name contains “{self.query}”"
        return (f"No {self.noun} you may use" if self.restricted
                else f"No {self.noun} to choose")

    @property
    def prompt(self) -> str:
        """The placeholder option's label when no option is selected (none after a search,
        whose first match is picked)."""
        if not self.placeholder or self.query or not self.options or self.multiple:
            return ""
        return "" if any(option.selected for option in self.options) else self.placeholder

    def choices(self) -> list[tuple[str, str]]:
        return [(option.value, option.label) for option in self.options]


def options_url(purpose: str, **params: str) -> str:
    query = {"purpose": purpose, **{k: v for k, v in params.items() if v}}
    return reverse("console:policy_options") + "?" + urlencode(query)


def policy_label(policy: Any) -> str:
    return f"{policy.name} (AWS managed)" if policy.is_aws_managed else policy.name


def boundary_label(policy: Any) -> str:
    return f"{policy.name} ({policy.arn})"


def matching(policies: QuerySet, query: str) -> QuerySet:
    return listing.search(policies, query)


def find_policy(arn: str) -> Any | None:
    """The managed policy with this ARN, if any (the domain reports an unknown ARN anyway)."""
    try:
        return iam.get_policy_by_arn(arn)
    except IAMError:
        return None


# Attach a policy ------------------------------------------------------------------------------

def attach_picker(policies: QuerySet, attached: Iterable[Any], *,
                  kind: str, name: str, query: str = "", total: int | None = None,
                  head: list[Any] | None = None, chosen: Iterable[Any] = ()) -> Picker:
    """The policies not attached yet, several chosen at once. The permissions tab passes what
    it has fetched already: `total` attachable policies and `head`, the first
    PICKER_LIMIT + len(attached) by name. A search keeps the `chosen` ones, first."""
    attached_ids = {p.pk for p in attached}
    chosen = [p for p in chosen if p.pk not in attached_ids]
    attachable_qs = listing.excluding(matching(policies, query), attached_ids)
    if head is None:
        head = list(listing.excluding(attachable_qs, {p.pk for p in chosen})[:PICKER_LIMIT])
    if total is None:
        total = attachable_qs.count()
    chosen_ids = {p.pk for p in chosen}
    attachable = [p for p in head
                  if p.pk not in attached_ids and p.pk not in chosen_ids][:PICKER_LIMIT]
    return Picker(
        select_id="attach-policy",
        options=[Option(p.arn, policy_label(p), True) for p in chosen]
        + [Option(p.arn, policy_label(p)) for p in attachable],
        total=total, query=query, shown=len(attachable),
        search_url=options_url("attach", kind=kind, name=name),
        placeholder="Choose a policy…", multiple=True, keeps_chosen=True,
    )


# Permissions boundaries -----------------------------------------------------------------------

def usable_boundaries(request: HttpRequest, rule: BoundaryRule, action: str, resource: str,
                      policies: QuerySet,
                      head: list[Any] | None = None) -> list[Any]:
    """The boundaries the caller may use for `action` among the first PICKER_LIMIT `policies`
    by name, plus those its conditions name (when the decision depends on the boundary)."""
    if not rule.depends and not rule.without:
        return []
    if head is None:
        head = list(policies[:PICKER_LIMIT])
    head = head[:PICKER_LIMIT]
    if not rule.depends:
        return head
    candidates = {p.pk: p for p in head}
    named = policies_with_arns(policies, boundary_values(get_caller(request), action))
    for policy in named:
        candidates.setdefault(policy.pk, policy)
    usable = [p for p in candidates.values() if rule.allows(request, action, resource, p.arn)]
    if len(candidates) > len(head):
        usable.sort(key=lambda p: (p.name.casefold(), p.name, p.is_aws_managed))
    return usable


def boundary_picker(request: HttpRequest, policies: QuerySet, *, kind: str,
                    entity, action: str, query: str = "", selected: Any | None = None,
                    total: int | None = None, head: list[Any] | None = None) -> Picker:
    """Set the permissions boundary of an existing user or role: the usable boundaries, and
    the current one (`selected`), always selectable."""
    rule = boundary_rule(request, action, entity.arn)
    policies = matching(policies, query)
    usable = usable_boundaries(request, rule, action, entity.arn, policies, head)
    if total is None:
        total = policies.count()
    options = [Option(p.arn, policy_label(p), selected is not None and p.pk == selected.pk)
               for p in usable]
    if selected is not None and not any(option.selected for option in options):
        options.append(Option(selected.arn, f"{policy_label(selected)} (current)", True))
    return Picker(
        select_id="boundary-policy", options=options, total=total, query=query,
        shown=len(usable), restricted=rule.depends,
        search_url=options_url("boundary", kind=kind, name=entity.name,
                               selected=selected.arn if selected is not None else ""),
        placeholder="Choose a boundary…",
    )


def create_boundary_picker(request: HttpRequest, policies: QuerySet | None, *,
                           kind: str, action: str, resource: str, query: str = "",
                           keep: str = "") -> Picker:
    """The boundary of a new user or role: "No permissions boundary" when allowed, then the
    usable boundaries (none when the caller may not list policies). `keep`: the ARN a
    submitted form chose (found with the search box), offered again when it exists."""
    rule = boundary_rule(request, action, resource)
    options = [Option("", "No permissions boundary")] if rule.without else []
    usable: list[Any] = []
    total = 0
    if policies is not None:
        policies = matching(policies, query)
        usable = usable_boundaries(request, rule, action, resource, policies)
        total = policies.count()
    options += [Option(p.arn, boundary_label(p)) for p in usable]
    if keep and all(option.value != keep for option in options):
        kept = find_policy(keep)
        if kept is not None:
            options.append(Option(kept.arn, boundary_label(kept)))
    return Picker(
        select_id="id_permissions_boundary", options=options, total=total, query=query,
        shown=len(usable), restricted=rule.depends, search_url=options_url("create", kind=kind),
    )


# Users and groups -----------------------------------------------------------------------------

def member_picker(users: QuerySet, group: Any, members: Iterable[Any], *,
                  query: str = "", chosen: Iterable[str] = ()) -> Picker:
    """Add users to `group`: the first PICKER_LIMIT users by name not in it yet, searchable,
    several chosen at once (a search keeps the `chosen` names, first)."""
    candidates = listing.excluding(matching(users, query), {m.pk for m in members})
    chosen = sorted(set(chosen) - {m.name for m in members})
    others = candidates.exclude(name__in=chosen) if chosen else candidates
    head = list(others.select_related(None).only("pk", "name")[:PICKER_LIMIT])
    total = candidates.count() if len(head) >= PICKER_LIMIT else len(head)
    kept = list(users.filter(name__in=chosen).values_list("name", flat=True)) if chosen else []
    return Picker(
        select_id="add-user",
        options=[Option(n, n, True) for n in kept] + [Option(u.name, u.name) for u in head],
        total=total, query=query, shown=len(head), noun="user", plural="users",
        search_url=reverse("console:user_options") + "?" + urlencode({"group": group.name}),
        placeholder="Choose a user…", multiple=True, keeps_chosen=True,
    )


def group_picker(request: HttpRequest, groups: QuerySet, user: Any, member_of: Iterable[Any],
                 *, query: str = "") -> Picker:
    """Add `user` to a group: the first PICKER_LIMIT groups by name it is not in, among them
    those the caller may add it to (iam:AddUserToGroup on the group), searchable."""
    candidates = listing.excluding(matching(groups, query), {g.pk for g in member_of})
    head = list(candidates[:PICKER_LIMIT])
    total = candidates.count() if len(head) >= PICKER_LIMIT else len(head)
    usable = [g for g in head if allowed(request, "iam:AddUserToGroup", g.arn)]
    return Picker(
        select_id="add-group", options=[Option(g.name, g.name) for g in usable], total=total,
        query=query, shown=len(usable), restricted=len(usable) < len(head),
        noun="group", plural="groups",
        search_url=reverse("console:group_options") + "?" + urlencode({"user": user.name}),
        placeholder="Choose a group…",
    )


def role_picker(roles: QuerySet, profile: Any, *, query: str = "") -> Picker:
    """Add a role to instance profile `profile`: the first PICKER_LIMIT roles by name,
    searchable (AddRoleToInstanceProfile then checks iam:PassRole and the profile's limit)."""
    candidates = matching(roles, query)
    head = list(candidates.select_related(None).only("pk", "name")[:PICKER_LIMIT])
    total = candidates.count() if len(head) >= PICKER_LIMIT else len(head)
    return Picker(
        select_id="add-role", options=[Option(r.name, r.name) for r in head], total=total,
        query=query, shown=len(head), noun="role", plural="roles",
        search_url=reverse("console:role_options") + "?" + urlencode({"profile": profile.name}),
        placeholder="Choose a role…",
    )


# Several at once (the guided create user: its groups and policies) ------------------------------

def multi_picker(select_id: str, candidates: QuerySet, chosen: Iterable[Any], *,
                 value: Callable[[Any], str], label: Callable[[Any], str], query: str,
                 search_url: str, noun: str, plural: str,
                 usable: Callable[[Any], bool] | None = None, none: str = "") -> Picker:
    """A multi-select over `candidates` (searchable over thousands): the `chosen` rows first and
    selected, then the first PICKER_LIMIT others whose name contains `query`, among them those
    `usable` allows (the caller's policies decide what may be chosen). Its search box sends the
    chosen values along, so searching never loses a choice. With `none` (the label of choosing
    nothing, first) it is a single <select> that works the same way."""
    chosen = list(chosen)
    others = listing.excluding(matching(candidates, query), {row.pk for row in chosen})
    head = list(others[:PICKER_LIMIT])
    total = others.count() if len(head) >= PICKER_LIMIT else len(head)
    offered = [row for row in head if usable is None or usable(row)]
    return Picker(
        select_id=select_id,
        options=([Option("", none, not chosen)] if none else [])
        + [Option(value(row), label(row), True) for row in chosen]
        + [Option(value(row), label(row)) for row in offered],
        total=total, query=query, shown=len(offered),
        restricted=len(offered) < len(head), search_url=search_url,
        noun=noun, plural=plural, multiple=not none, keeps_chosen=True, search_always=True,
    )
# Bulk actions of a list ----------------------------------------------------------------------

def bulk_group_picker(groups: QuerySet, *, query: str = "") -> Picker:
    """Add the selected users to a group: the first PICKER_LIMIT groups by name, searchable;
    whether the caller may add each user is the engine's answer per item."""
    groups = matching(groups, query)
    head = list(groups.select_related(None).only("pk", "name")[:PICKER_LIMIT])
    total = groups.count()  # always: a list page's queries do not depend on its data
    return Picker(
        select_id="bulk-group", options=[Option(g.name, g.name) for g in head], total=total,
        query=query, shown=len(head), noun="group", plural="groups",
        search_url=reverse("console:group_options") + "?purpose=bulk",
        placeholder="Choose a group…")


def bulk_policy_picker(policies: QuerySet, *, kind: str, query: str = "") -> Picker:
    """Attach a policy to (or detach it from) the selected users, groups or roles: the first
    PICKER_LIMIT managed policies by name, searchable, none chosen."""
    policies = matching(policies, query)
    head = list(policies[:PICKER_LIMIT])
    total = policies.count()
    return Picker(
        select_id="bulk-policy", options=[Option(p.arn, policy_label(p)) for p in head],
        total=total, query=query, shown=len(head),
        search_url=options_url("bulk", kind=kind), placeholder="Choose a policy…")


def identity_picker(choices: dict[str, QuerySet], *, query: str = "") -> Picker:
    """Attach the selected policies to (or detach them from) one user, group or role: the first
    PICKER_LIMIT of each kind the caller may list (`choices`: kind → its list), by name,
    searchable; an option's value is "<kind>:<name>"."""
    options, total = [], 0
    for kind, entities in choices.items():
        entities = matching(entities, query)
        head = list(entities.select_related(None).only("pk", "name")[:PICKER_LIMIT])
        total += entities.count()
        label = kind.capitalize()
        options += [Option(f"{kind}:{e.name}", f"{label} {e.name}") for e in head]
    return Picker(
        select_id="bulk-identity", options=options, total=total, query=query,
        shown=len(options), noun="user, group or role", plural="users, groups and roles",
        search_url=reverse("console:identity_options"), placeholder="Choose a user, group or role…")
